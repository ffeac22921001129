"""The tree rules, on plain shapes and through validate_trees."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from triage.integrity import NodeShape, tree_problems
from triage.models import Choice, Node, Tree


def shapes(**nodes):
    return nodes


QUESTION, OUTCOME = "question", "outcome"


def test_sound_tree_has_no_problems():
    """A question leading to two outcomes with guidance is sound."""
    tree = shapes(
        a=NodeShape("A", QUESTION, choices=[("yes", "b"), ("no", "c")]),
        b=NodeShape("B", OUTCOME, has_guidance=True),
        c=NodeShape("C", OUTCOME, has_guidance=True),
    )
    assert tree_problems("a", tree) == []


@pytest.mark.parametrize(
    "tree, start, expected",
    [
        ({"a": NodeShape("A", QUESTION)}, "a", "Question A has no choices."),
        (
            {"a": NodeShape("A", QUESTION, choices=[("x", "b")]), "b": NodeShape("B", OUTCOME)},
            "a",
            "Outcome B has no guidance.",
        ),
        (
            {"a": NodeShape("A", QUESTION, choices=[("x", "b"), ("x", "b")]), "b": NodeShape("B", OUTCOME, True)},
            "a",
            'Question A has more than one choice with the slug "x".',
        ),
        ({"a": NodeShape("A", QUESTION, choices=[("x", None)])}, "a", 'Choice "x" of A leads nowhere.'),
        (
            {"a": NodeShape("A", QUESTION, choices=[("x", "zz")])},
            "a",
            'Choice "x" of A leads to a node of another tree.',
        ),
        (
            {
                "a": NodeShape("A", QUESTION, choices=[("x", "b")]),
                "b": NodeShape("B", QUESTION, choices=[("back", "a")]),
            },
            "a",
            'Choice "back" of B leads back to A, making a loop.',
        ),
        (
            {
                "a": NodeShape("A", QUESTION, choices=[("x", "b")]),
                "b": NodeShape("B", OUTCOME, True),
                "c": NodeShape("C", OUTCOME, True),
            },
            "a",
            "C cannot be reached from the first question.",
        ),
        (
            {
                "a": NodeShape("A", QUESTION, choices=[("x", "b")]),
                "b": NodeShape("B", OUTCOME, True, choices=[("y", "a")]),
            },
            "a",
            "Outcome B has choices; only questions can have them.",
        ),
        ({"b": NodeShape("B", OUTCOME, True)}, None, "The tree has no first question."),
        ({"b": NodeShape("B", OUTCOME, True)}, "b", "The first node of the tree, B, is not a question."),
    ],
)
def test_each_rule(tree, start, expected):
    """Each broken rule is reported in a sentence naming the node."""
    assert expected in tree_problems(start, tree)


def test_new_node_may_be_unreachable():
    """A node being added is not yet reachable, and that alone is not a problem."""
    tree = {
        "a": NodeShape("A", QUESTION, choices=[("x", "b")]),
        "b": NodeShape("B", OUTCOME, True),
        None: NodeShape("New", OUTCOME, True),
    }
    assert tree_problems("a", tree, may_be_unreachable={None}) == []


def test_long_chain_does_not_overflow():
    """Loop detection copes with paths far deeper than Python's recursion limit."""
    tree = {i: NodeShape(str(i), QUESTION, choices=[("next", i + 1)]) for i in range(5000)}
    tree[5000] = NodeShape("end", OUTCOME, True)
    assert tree_problems(0, tree) == []


def test_validate_trees_is_clean_on_the_fixture(carm_tree):
    """validate_trees passes the CARM tree."""
    out = io.StringIO()
    call_command("validate_trees", stdout=out)
    assert "carm: no problems" in out.getvalue()


def test_validate_trees_fails_and_lists_problems(small_tree):
    """validate_trees exits non-zero and lists what is wrong."""
    Node.objects.create(tree=small_tree, kind=Node.Kind.OUTCOME, title_en="Orphan", title_fr="Orphelin", guidance_en="")
    question = Node.objects.get(tree=small_tree, text_en="Are you a non-resident business?")
    Choice.objects.create(
        question=question, label_en="Loop", label_fr="Boucle", slug="loop", position=9, target=small_tree.start
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="3 problem"):
        call_command("validate_trees", stdout=out)
    report = out.getvalue()
    assert (
        "Orphan" in report and "cannot be reached" in report and "no guidance" in report and "making a loop" in report
    )


def test_validate_trees_lists_every_text_missing_a_language(small_tree):
    """A question, a hint, a choice or the tree's own text in one language only is listed."""
    question = Node.objects.get(tree=small_tree, text_en="Are you a non-resident business?")
    Node.objects.filter(pk=question.pk).update(text_fr="", hint_en="Registered in Canada or not")
    question.choices.filter(slug="yes").update(label_en="")
    Tree.objects.filter(pk=small_tree.pk).update(intro_fr="Introduction")
    out = io.StringIO()
    with pytest.raises(CommandError, match="4 problem"):
        call_command("validate_trees", stdout=out)
    report = out.getvalue()
    assert "The tree: introduction (English) is empty." in report
    assert "Are you a non-resident business? (#" in report
    assert "question (French) is empty." in report and "hint (French) is empty." in report
    assert 'choice "yes": label (English) is empty.' in report
