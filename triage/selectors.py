"""Read a help tree as an in-memory graph: a release's, or the draft's, cached per language.

Walking a path then costs no query per step: a public page reads the tree row with its
current release's number, and the graph comes from this process's memory, or from two
queries the first time a release is asked for. A release never changes, so its graph is
kept for good; the draft's is kept per revision (any edit gives it a new one), for the
staff preview. A graph holds the texts of one language, that of the page.
"""

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse

from carmsupport.bilingual import current_language

from .guidance import render_markdown
from .models import PUBLISHED, Node, Release, Tree


@dataclass(frozen=True)
class ChoiceView:
    slug: str
    label: str
    target_id: int


@dataclass(frozen=True)
class NodeView:
    id: int
    kind: str
    text: str
    hint: str
    title: str
    guidance_html: str
    contact_allowed: bool
    topic_id: int | None
    response_class: str
    choices: tuple[ChoiceView, ...]

    @property
    def is_question(self):
        return self.kind == Node.Kind.QUESTION

    def choice(self, slug):
        return next((choice for choice in self.choices if choice.slug == slug), None)


@dataclass(frozen=True)
class Answer:
    """A question on the path, the choice made, and the answers that led to the question."""

    question: NodeView
    choice: ChoiceView
    before: tuple[str, ...]


class PathNotFound(Exception):
    """The answers do not describe a path of the tree (tampered, stale or impossible)."""


@dataclass(frozen=True)
class TreeGraph:
    nodes: dict[int, NodeView]
    title: str = ""
    intro: str = ""
    start_id: int | None = None

    def walk(self, start_id, slugs):
        """Follow the answers from the start; return the answers given and the node reached."""
        node = self.nodes.get(start_id)
        answers = []
        for index, slug in enumerate(slugs):
            choice = node.choice(slug) if node else None
            if choice is None:
                raise PathNotFound(slug)
            answers.append(Answer(node, choice, tuple(slugs[:index])))
            node = self.nodes.get(choice.target_id)
        if node is None:
            raise PathNotFound("")
        return answers, node

    def path_to(self, start_id, node_id):
        """The shortest list of answers from the start to the node, or None if none leads there."""
        if start_id not in self.nodes:
            return None
        seen = {start_id: ()}
        queue = deque([start_id])
        while queue:
            current = queue.popleft()
            if current == node_id:
                return list(seen[current])
            for choice in self.nodes[current].choices:
                if choice.target_id not in seen and choice.target_id in self.nodes:
                    seen[choice.target_id] = (*seen[current], choice.slug)
                    queue.append(choice.target_id)
        return None


_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def is_slug(text):
    return bool(_SLUG.match(text))


def answer_slugs(answers):
    """The answers in an address ("importer/yes/"), or None when a part could not be an answer."""
    slugs = [segment for segment in answers.split("/") if segment]
    return slugs if all(is_slug(slug) for slug in slugs) else None


def answers_path(slugs):
    """The canonical address segment for a list of answers: "importer/yes/" or ""."""
    return "".join(f"{slug}/" for slug in slugs)


def step_url(tree_slug, slugs):
    """The address of the step that these answers lead to: /<language>/help/<tree>/questions/<answers>."""
    return reverse("triage:step", args=[tree_slug, answers_path(slugs)])


@dataclass(frozen=True)
class ShownTree:
    """A tree as one page shows it: a release, for clients, or the draft, in the staff preview."""

    pk: int
    slug: str
    graph: TreeGraph
    revision: str  # names what the page shows, for the pages kept in cache
    changed_at: object
    release_number: int | None = None
    release_id: int | None = None
    preview: bool = False

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
        return reverse("triage:preview_start" if self.preview else "triage:start", args=[self.slug])

    def step_url(self, slugs):
        if self.preview:
            return reverse("triage:preview_step", args=[self.slug, answers_path(slugs)])
        return step_url(self.slug, slugs)


def published_tree(slug):
    """The tree with this slug as clients see it, its current release, or None.

    One query, since every public page of a tree asks it; the release's texts come from memory.
    """
    found = (
        Tree.objects.filter(slug=slug, **PUBLISHED)
        .values_list("pk", "current_release_id", "current_release__number", "current_release__published_at")
        .order_by()[:1]
    )
    row = next(iter(found), None)
    if row is None:
        return None
    pk, release_id, number, published_at = row
    graph = release_graph(release_id)
    return ShownTree(pk, slug, graph, f"release{release_id}", published_at, number, release_id)


def published_trees():
    """Every tree clients may walk, as its current release shows it (one query)."""
    rows = Tree.objects.published().values_list(
        "pk", "slug", "current_release_id", "current_release__number", "current_release__published_at"
    )
    shown = [
        ShownTree(pk, slug, release_graph(release_id), f"release{release_id}", published_at, number, release_id)
        for pk, slug, release_id, number, published_at in rows
    ]
    return sorted(shown, key=lambda tree: tree.title)


def draft_tree(slug):
    """The tree with this slug as its draft reads now, for the staff preview; None if there is none."""
    tree = Tree.objects.filter(slug=slug).only("slug", "revision", "changed_at").first()
    if tree is None:
        return None
    graph = _draft_graph(tree.pk, tree.revision, current_language())
    return ShownTree(tree.pk, slug, graph, f"draft{tree.revision}", tree.changed_at, preview=True)


def tree_graph(tree) -> TreeGraph:
    """The graph clients walk of a tree row: its current release's, in the active language."""
    if isinstance(tree, ShownTree):
        return tree.graph
    return release_graph(tree.current_release_id) if tree.current_release_id else TreeGraph(nodes={})


def release_graph(release_id) -> TreeGraph:
    return _release_graph(release_id, current_language())


@lru_cache(maxsize=64)
def _release_graph(release_id, language) -> TreeGraph:
    snapshot = Release.objects.values_list("snapshot", flat=True).get(pk=release_id)
    return graph_of(snapshot, language)


@lru_cache(maxsize=16)
def _draft_graph(tree_id, revision, language) -> TreeGraph:
    from .releases import snapshot

    return graph_of(snapshot(Tree.objects.get(pk=tree_id)), language)


def graph_of(snapshot, language) -> TreeGraph:
    """The graph of a snapshot (see triage.releases) with its texts in the language."""
    topic_model = Node._meta.get_field("topic").related_model
    slugs = {node.get("topic") for node in snapshot["nodes"]} - {None}
    topics = dict(topic_model.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}

    def text(entry, name):
        return entry.get(f"{name}_{language}") or entry.get(f"{name}_en") or ""

    nodes = {}
    for entry in snapshot["nodes"]:
        question = entry["kind"] == Node.Kind.QUESTION
        nodes[entry["id"]] = NodeView(
            id=entry["id"],
            kind=entry["kind"],
            text=text(entry, "text") if question else "",
            hint=text(entry, "hint") if question else "",
            title="" if question else text(entry, "title"),
            guidance_html="" if question else render_markdown(text(entry, "guidance")),
            contact_allowed=entry.get("contact_allowed", False),
            topic_id=topics.get(entry.get("topic")),
            response_class=entry.get("response_class", "standard"),
            choices=tuple(
                ChoiceView(slug=choice["slug"], label=text(choice, "label"), target_id=choice["target"])
                for choice in entry.get("choices", ())
            ),
        )
    head = snapshot["tree"]
    return TreeGraph(nodes=nodes, title=text(head, "title"), intro=text(head, "intro"), start_id=head["start"])


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
    kept, node = [], graph.nodes.get(start_id)
    for slug in slugs:
        choice = node.choice(slug) if node else None
        if choice is None or choice.target_id not in graph.nodes:
            break
        kept.append(slug)
        node = graph.nodes[choice.target_id]
    return kept


def draft_graph(tree) -> TreeGraph:
    """The draft's graph, in the active language (the admin's links to pages, the tree graph)."""
    return _draft_graph(tree.pk, tree.revision, current_language())


def clear_graphs():
    """Forget every cached graph (tests; a release never changes and a draft edit is a new revision)."""
    _release_graph.cache_clear()
    _draft_graph.cache_clear()
