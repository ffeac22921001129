"""The way a client came to a case: the help tool's path to the contact form, and what a case keeps of it.

A HelpPath is the path the contact form's address names (?tree=…&answers=…), walked again in the
published tree (`named_help_path`). A PathTaken is what a case records of how it came, the one object
`case_submit` takes: its topic and response class, and the help tool's answers, outcome and release
when there was a path. It is made from a HelpPath, from the topic alone for a client who came straight
to the form, or from the earlier case for a follow-on filed as a new case.
"""

from dataclasses import dataclass, fields

from helpdesk.models import Topic
from triage.models import Tree
from triage.selectors import PathNotFound, answer_slugs, is_slug, published_tree, tree_graph

from ..models import Case


@dataclass(frozen=True)
class HelpPath:
    """The help-tool path a client followed to the contact form, recomputed from the address."""

    tree: Tree
    slugs: list
    snapshot: list  # [{"question": ..., "answer": ...}], as the texts read now
    outcome: object  # triage.selectors.NodeView

    @property
    def outcome_url(self):
        return self.tree.step_url(self.slugs)


class InvalidOrigin(Exception):
    """The address names a help-tool path that does not lead to a contactable outcome."""


def named_help_path(query) -> HelpPath | None:
    """The path named by ?tree=…&answers=…, None when there is none; raises InvalidOrigin."""
    tree_slug, answers = query.get("tree"), query.get("answers")
    if tree_slug is None and answers is None:
        return None
    slugs = answer_slugs(answers or "")
    if slugs is None or not is_slug(tree_slug or ""):
        raise InvalidOrigin
    tree = published_tree(tree_slug)
    if tree is None:
        raise InvalidOrigin
    try:
        given, outcome = tree_graph(tree).walk(tree.start_id, slugs)
    except PathNotFound:
        raise InvalidOrigin from None
    if outcome.is_question or not outcome.contact_allowed:
        raise InvalidOrigin
    snapshot = [{"question": answer.question.text, "answer": answer.choice.label} for answer in given]
    return HelpPath(tree=tree, slugs=slugs, snapshot=snapshot, outcome=outcome)


@dataclass(frozen=True)
class PathTaken:
    """What a case records of the way its client came: topic, class, and the help tool's part, if any.

    Each field is the case's field of the same name.
    """

    topic: Topic
    response_class: str
    path: tuple | list = ()  # the help tool's [{"question": ..., "answer": ...}], as the client read them
    outcome_id: int | None = None
    outcome_title: str = ""
    release_id: int | None = None

    @classmethod
    def straight(cls, topic: Topic) -> "PathTaken":
        """Straight to the contact form: the topic chosen there, and its class."""
        return cls(topic=topic, response_class=topic.response_class)

    @classmethod
    def of_help_path(cls, help_path: HelpPath, chosen_topic: Topic | None = None) -> "PathTaken":
        """Through the help tool: the topic its outcome names (else the one chosen on the form), the
        outcome's class, the answers as they read now, and the tree's release."""
        outcome = help_path.outcome
        return cls(
            topic=chosen_topic if outcome.topic_id is None else Topic.objects.get(pk=outcome.topic_id),
            response_class=outcome.response_class,
            path=help_path.snapshot,
            outcome_id=outcome.id,
            outcome_title=outcome.title,
            release_id=help_path.tree.release_id,
        )

    @classmethod
    def of_case(cls, case: Case) -> "PathTaken":
        """The way an earlier case came, for the follow-on filed as a new case that names it."""
        return cls(**{field.name: getattr(case, field.name) for field in fields(cls)})

    def case_fields(self) -> dict:
        """The case's fields, as Case.objects.create takes them."""
        return {**{field.name: getattr(self, field.name) for field in fields(self)}, "path": list(self.path)}
