"""Read a help tree as an in-memory graph, cached per tree revision and language.

Walking a path then costs no query per step: a page reads the tree row, and the
graph comes from this process's memory, or from two queries when the tree has just
changed (any edit gives the tree a new revision). A graph holds the texts of one
language, that of the page.
"""

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from django.urls import reverse
from django.utils import translation

from carmsupport.bilingual import columns, current_language

from .guidance import render_markdown
from .models import PUBLISHED, Choice, Node, Tree


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


# What a public page reads of its tree, on every request.
TREE_PAGE_FIELDS = ["slug", *columns("title"), *columns("intro"), "start", "revision", "changed_at"]


def published_tree(slug):
    """The published tree with this slug, or None: one query, built with as little work as the ORM allows,
    since every public page of a tree asks it."""
    found = Tree.objects.filter(slug=slug, **PUBLISHED).only(*TREE_PAGE_FIELDS).order_by()[:1]
    return next(iter(found), None)


def tree_graph(tree) -> TreeGraph:
    """The tree's graph with its texts in the active language."""
    return _graph(tree.pk, tree.revision, current_language())


@lru_cache(maxsize=64)
def _graph(tree_id, revision, language) -> TreeGraph:
    """The graph of one revision of a tree in one language, kept in this process (no copy made on each read)."""
    with translation.override(language):
        return _load_graph(tree_id)


def _load_graph(tree_id) -> TreeGraph:
    choices = {}
    for choice in (
        Choice.objects.filter(question__tree=tree_id)
        .order_by("position", "id")
        .only("question_id", "slug", "label_en", "label_fr", "target_id")
    ):
        choices.setdefault(choice.question_id, []).append(
            ChoiceView(slug=choice.slug, label=choice.label, target_id=choice.target_id)
        )
    nodes = {}
    for node in Node.objects.filter(tree=tree_id):
        nodes[node.pk] = NodeView(
            id=node.pk,
            kind=node.kind,
            text=node.text,
            hint=node.hint,
            title=node.title,
            guidance_html=render_markdown(node.guidance),
            contact_allowed=node.contact_allowed,
            topic_id=node.topic_id,
            response_class=node.response_class,
            choices=tuple(choices.get(node.pk, ())),
        )
    return TreeGraph(nodes=nodes)


def clear_graphs():
    """Forget every cached graph (tests; a revision change makes this unnecessary in use)."""
    _graph.cache_clear()
