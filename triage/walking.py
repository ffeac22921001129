"""A help tree as an in-memory graph: its nodes and choices in one language, and the answers walked through it.

A graph is made from a snapshot (see triage.releases) by `graph_of`; triage.selectors keeps them.
Each choice has its key, the English slug, the same in both languages (analytics, the contact
form's address), and its word in the addresses of the graph's language (ChoiceView.address).
"""

import re
from dataclasses import dataclass

from carmsupport.bilingual import in_language

from . import traversal
from .guidance import render_markdown
from .models import Node
from .releases import topic_ids


@dataclass(frozen=True)
class ChoiceView:
    slug: str  # the choice's key: its English slug, the same in both languages (analytics, the contact form)
    label: str
    target_id: int
    address: str = ""  # the choice's word in the page's address, in the graph's language

    def __post_init__(self):
        if not self.address:
            object.__setattr__(self, "address", self.slug)


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

    def choice_at(self, address):
        """The choice an address names: by its word in the graph's language, else by its English slug
        (an address from before the French ones)."""
        return next((choice for choice in self.choices if choice.address == address), None) or self.choice(address)


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

    def steps(self, start_id, slugs):
        """(question, choice made) for each answer from the start, as far as they lead to a node of the graph."""
        node = self.nodes.get(start_id)
        for slug in slugs:
            choice = node.choice(slug) if node else None
            if choice is None or choice.target_id not in self.nodes:
                return
            yield node, choice
            node = self.nodes[choice.target_id]

    def keys(self, start_id, addresses):
        """The answers an address names, as their keys (see ChoiceView): each part is a choice's word in
        the graph's language or its English slug; from the first part that leads nowhere, the parts as they are."""
        return self._follow(start_id, addresses, NodeView.choice_at, "slug")

    def addresses(self, start_id, slugs):
        """The words of the answers' address in the graph's language; from the first that leads nowhere, as they are."""
        return self._follow(start_id, slugs, NodeView.choice, "address")

    def _follow(self, start_id, parts, find, name):
        node, found = self.nodes.get(start_id), []
        for index, part in enumerate(parts):
            choice = find(node, part) if node else None
            if choice is None:
                return [*found, *parts[index:]]
            found.append(getattr(choice, name))
            node = self.nodes.get(choice.target_id)
        return found

    def walk(self, start_id, slugs):
        """Follow the answers from the start; return the answers given and the node reached."""
        answers = [
            Answer(node, choice, tuple(slugs[:index]))
            for index, (node, choice) in enumerate(self.steps(start_id, slugs))
        ]
        if len(answers) < len(slugs):
            raise PathNotFound(slugs[len(answers)])
        node = self.nodes.get(answers[-1].choice.target_id if answers else start_id)
        if node is None:
            raise PathNotFound("")
        return answers, node

    def path_to(self, start_id, node_id):
        """The shortest list of answers from the start to the node, or None if none leads there."""
        return next((list(path) for reached, path in self.shortest_paths(start_id) if reached == node_id), None)

    def shortest_paths(self, start_id, by="slug"):
        """Each node a path from the start reaches, nearest first, with the shortest path to it as its
        choices' slugs (or, `by` "label", their labels): see triage.traversal."""

        def choices(node_id):
            return ((getattr(choice, by), choice.target_id) for choice in self.nodes[node_id].choices)

        return traversal.shortest_paths(start_id, self.nodes, choices)


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


def graph_of(snapshot, language, topics=None) -> TreeGraph:
    """The graph of a snapshot (see triage.releases) with its texts in the language; `topics` as topic_ids gives
    them (read when None)."""
    topics = topic_ids(snapshot) if topics is None else topics

    def text(entry, name):
        return in_language(entry, name, language)

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
                ChoiceView(
                    slug=choice["slug"],
                    label=text(choice, "label"),
                    target_id=choice["target"],
                    address=choice.get(f"slug_{language}") or choice["slug"],
                )
                for choice in entry.get("choices", ())
            ),
        )
    head = snapshot["tree"]
    return TreeGraph(nodes=nodes, title=text(head, "title"), intro=text(head, "intro"), start_id=head["start"])
