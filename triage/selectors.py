"""Read a help tree as an in-memory graph: a release's, or the draft's, cached per language.

Walking a path then costs no query per step: a public page reads the tree row with its
current release's number, and the graph comes from this process's memory, or from two
queries the first time a release is asked for. A release never changes, so its graph is
kept for good; the draft's is kept per revision (any edit gives it a new one), for the
staff preview. A graph holds the texts and address words of one language; both languages' are made
at once, since each page names its counterpart in the other.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from django.db.models import Q
from django.urls import reverse

from carmsupport.bilingual import LANGUAGE_CODES, current_language

from .models import PUBLISHED, Release, Tree
from .releases import snapshot, topic_ids
from .walking import PathNotFound, TreeGraph, answer_slugs, answers_path, graph_of, is_slug

# Read from here by the pages and the helpdesk, with what this module gives.
__all__ = ["PathNotFound", "TreeGraph", "answer_slugs", "answers_path", "is_slug"]


def address_slug(slug, slug_fr, language=None):
    """A tree's word in its addresses in the language (the active one when None): its French slug in French,
    when it has one."""
    return slug_fr if (language or current_language()) == "fr" and slug_fr else slug


def step_url(tree, slugs):
    """The address of the step that these answers lead to, for a tree row, in the active language:
    /en/help/<tree>/questions/<answers>, /fr/aide/<arbre>/questions/<réponses>."""
    graph = tree_graph(tree)
    words = graph.addresses(graph.start_id, slugs)
    return reverse("triage:step", args=[address_slug(tree.slug, tree.slug_fr), answers_path(words)])


@dataclass(frozen=True)
class ShownTree:
    """A tree as one page shows it: a release, for clients, or the draft, in the staff preview."""

    pk: int
    slug: str
    graph: TreeGraph
    revision: str  # names what the page shows, for the pages kept in cache: release_revision or draft_revision
    changed_at: object
    release_number: int | None = None
    release_id: int | None = None
    preview: bool = False
    slug_fr: str = ""

    @property
    def address(self):
        """The tree's word in the page's address (see address_slug)."""
        return address_slug(self.slug, self.slug_fr)

    @property
    def title(self):
        return self.graph.title

    @property
    def intro(self):
        return self.graph.intro

    @property
    def start_id(self):
        return self.graph.start_id

    def get_absolute_url(self):
        """The tree's start page: the public one, or the preview's."""
        return reverse("triage:preview_start" if self.preview else "triage:start", args=[self.address])

    def step_url(self, slugs):
        """The address of the step the answers (keys) lead to, in the page's language."""
        return self._answers_url("triage:preview_step" if self.preview else "triage:step", slugs)

    def feedback_url(self, slugs):
        return self._answers_url("triage:feedback", slugs)

    def in_language(self, language) -> "ShownTree":
        """The same tree, release or draft, with its texts and address words in the language (from memory once
        read); for addresses, under translation.override(language)."""
        if self.preview:
            graph = _draft_graph(self.pk, self.revision.removeprefix("draft"), language)
        else:
            graph = _release_graph(self.release_id, language)
        return replace(self, graph=graph)

    def _answers_url(self, name, slugs):
        words = self.graph.addresses(self.start_id, slugs)
        return reverse(name, args=[self.address, answers_path(words)])


def release_revision(release_id) -> str:
    """Names a release in what is kept in cache (carmsupport.page_cache): a release never changes."""
    return f"release{release_id}"


def draft_revision(tree) -> str:
    """Names the draft as it reads now in what is kept in cache: any edit gives the tree a new revision."""
    return f"draft{tree.revision}"


def published_tree(slug):
    """The tree with this slug as clients see it, its current release, or None.

    One query, since every public page of a tree asks it; the release's texts come from memory.
    In French, the slug is the French one, or the English one of an address from before there were French ones.
    """
    trees = Tree.objects.filter(_slug_named(slug), **PUBLISHED).order_by()
    return next(iter(_as_published(trees[:1])), None)


def _slug_named(slug):
    return Q(slug=slug) | Q(slug_fr=slug) if current_language() == "fr" else Q(slug=slug)


def published_trees():
    """Every tree clients may walk, as its current release shows it (one query)."""
    return sorted(_as_published(Tree.objects.published()), key=lambda tree: tree.title)


def _as_published(trees):
    rows = trees.values_list(
        "pk", "slug", "slug_fr", "current_release_id", "current_release__number", "current_release__published_at"
    )
    return [
        ShownTree(
            pk,
            slug,
            release_graph(release_id),
            release_revision(release_id),
            published_at,
            number,
            release_id,
            slug_fr=slug_fr,
        )
        for pk, slug, slug_fr, release_id, number, published_at in rows
    ]


def draft_tree(slug):
    """The tree with this slug as its draft reads now, for the staff preview; None if there is none."""
    tree = Tree.objects.filter(_slug_named(slug)).only("slug", "slug_fr", "revision", "changed_at").first()
    if tree is None:
        return None
    graph = _draft_graph(tree.pk, tree.revision, current_language())
    return ShownTree(
        tree.pk, tree.slug, graph, draft_revision(tree), tree.changed_at, preview=True, slug_fr=tree.slug_fr
    )


def tree_graph(tree) -> TreeGraph:
    """The graph clients walk of a tree row: its current release's, in the active language."""
    if isinstance(tree, ShownTree):
        return tree.graph
    return release_graph(tree.current_release_id) if tree.current_release_id else TreeGraph(nodes={})


def release_graph(release_id) -> TreeGraph:
    return _release_graph(release_id, current_language())


def _release_graph(release_id, language) -> TreeGraph:
    return _release_graphs(release_id)[language]


def _draft_graph(tree_id, revision, language) -> TreeGraph:
    return _draft_graphs(tree_id, revision)[language]


# Both languages' graphs are made at once, from one reading: a page names its counterpart in the other language.
@lru_cache(maxsize=64)
def _release_graphs(release_id) -> dict[str, TreeGraph]:
    return _graphs(Release.objects.values_list("snapshot", flat=True).get(pk=release_id))


@lru_cache(maxsize=16)
def _draft_graphs(tree_id, revision) -> dict[str, TreeGraph]:
    return _graphs(snapshot(Tree.objects.get(pk=tree_id)))


def _graphs(taken) -> dict[str, TreeGraph]:
    topics = topic_ids(taken)
    return {language: graph_of(taken, language, topics) for language in LANGUAGE_CODES}


# How many earlier releases a client's stale address is checked against.
RELEASES_REMEMBERED = 5


def led_somewhere_before(tree: ShownTree, slugs) -> bool:
    """Whether the answers were a path in one of the tree's recent earlier releases (a step moved by an update)."""
    earlier = (
        Release.objects.filter(tree=tree.pk, number__lt=tree.release_number or 0)
        .order_by("-number")
        .values_list("pk", flat=True)[:RELEASES_REMEMBERED]
    )
    for release_id in earlier:
        graph = release_graph(release_id)
        try:
            graph.walk(graph.start_id, slugs)
        except PathNotFound:
            continue
        return True
    return False


def valid_prefix(graph: TreeGraph, start_id, slugs) -> list:
    """The longest first part of the answers that is still a path: where a client can go on from."""
    return [choice.slug for _question, choice in graph.steps(start_id, slugs)]


def draft_graph(tree) -> TreeGraph:
    """The draft's graph, in the active language (the admin's links to pages, the tree graph)."""
    return _draft_graph(tree.pk, tree.revision, current_language())


def clear_graphs():
    """Forget every cached graph (tests; a release never changes and a draft edit is a new revision)."""
    _release_graphs.cache_clear()
    _draft_graphs.cache_clear()
