"""The CARM fixture reproduces the seed outline exactly, storing identical parts once."""

import hashlib
import io
import json
from pathlib import Path

from django.core.management import call_command

from helpdesk.models import ResponseClass
from tests.conftest import SEED
from triage.integrity import tree_problems, tree_shapes
from triage.models import Node
from triage.selectors import tree_graph

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def stored_paths(tree):
    """Every root-to-leaf path of the stored tree, as (question text, choice label) pairs."""
    graph = tree_graph(tree)

    def walk(node_id, prefix):
        node = graph.nodes[node_id]
        if not node.is_question:
            yield prefix
            return
        for choice in node.choices:
            yield from walk(choice.target_id, (*prefix, (node.text, choice.label)))

    return list(walk(tree.start_id, ()))


def test_every_path_matches_the_seed(carm_tree, carm_outline):
    """All 365 paths of the loaded tree match the outline, path by path, in order."""
    expected = list(carm_outline.paths())
    actual = stored_paths(carm_tree)
    assert len(actual) == 365
    for number, (want, got) in enumerate(zip(expected, actual, strict=True), start=1):
        assert got == want, f"path {number} differs"


def test_tree_title_and_intro(carm_tree):
    """The start page text is the seed's title, introduction and subjects."""
    assert carm_tree.title == "Get help with the CARM Client Portal"
    assert "Use this interactive tool" in carm_tree.intro
    assert "- registering your business\n  - GCKey and Sign-in Partner" in carm_tree.intro


def test_identical_subtrees_stored_once(carm_tree):
    """The error-code question (24 uses) and the multi-factor question (12 uses) are one node each."""
    paths = stored_paths(carm_tree)
    text = "Please select one of the following error codes."
    assert Node.objects.filter(tree=carm_tree, text_en=text).count() == 1
    ways_in = {tuple(path[: [q for q, _l in path].index(text)]) for path in paths if (text, "EC-1012") in path}
    assert len(ways_in) == 24
    mfa = Node.objects.filter(tree=carm_tree, choices__label_en="You are locked out of your account").distinct()
    assert mfa.count() == 1
    assert Node.objects.filter(tree=carm_tree, kind=Node.Kind.QUESTION).count() == 22
    assert Node.objects.filter(tree=carm_tree, kind=Node.Kind.OUTCOME).count() == 33


def test_fixture_is_sound(carm_tree):
    """The loaded tree breaks none of the integrity rules."""
    assert tree_problems(carm_tree.start_id, tree_shapes(carm_tree)) == []


def test_every_outcome_has_guidance_topic_and_contact(carm_tree):
    """Each outcome gives guidance and files cases under a topic."""
    for outcome in Node.objects.filter(tree=carm_tree, kind=Node.Kind.OUTCOME):
        assert outcome.title and len(outcome.guidance) > 80, outcome
        assert outcome.topic is not None, outcome
        assert outcome.contact_allowed


def test_financial_security_outcomes_are_financial(carm_tree):
    """Every outcome under the financial security branch has the 15-business-day class."""
    graph = tree_graph(carm_tree)
    for path_end in _outcomes_below(graph, carm_tree, "Posting, adjusting or cancelling financial security"):
        assert graph.nodes[path_end].response_class == ResponseClass.FINANCIAL
    others = Node.objects.filter(tree=carm_tree, kind=Node.Kind.OUTCOME).exclude(topic__slug="rm-account")
    assert set(others.values_list("response_class", flat=True)) == {ResponseClass.STANDARD}


def _outcomes_below(graph, tree, label):
    found = set()
    pending = [c.target_id for n in graph.nodes.values() for c in n.choices if c.label == label]
    while pending:
        node = graph.nodes[pending.pop()]
        if node.is_question:
            pending.extend(c.target_id for c in node.choices)
        else:
            found.add(node.id)
    assert found
    return found


def test_fixture_is_built_from_the_seed_and_guidance(tmp_path):
    """The committed fixture is what the builder makes from the seed and the guidance file."""
    output = tmp_path / "tree.json"
    call_command(
        "outline_fixture",
        SEED,
        FIXTURES / "carm_guidance.toml",
        FIXTURES / "carm_outline_fr.toml",
        output,
        stdout=io.StringIO(),
    )
    assert json.loads(output.read_text()) == json.loads((FIXTURES / "carm_tree.json").read_text())


# The SHA-256 of the help-tool outline as published, kept so that the check runs in every clone.
SEED_SHA256 = "6b60978fbd72367dbbe0c690fa8dcea74113389762b6d64c2e63a2f0324967fe"


def test_seed_copy_is_the_published_outline():
    """The outline under tests/ is the published one, byte for byte; and the shared copy, when it is
    beside the project, is the same."""
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
    shared = Path(__file__).resolve().parents[3] / "shared" / "seeds" / SEED.name
    if shared.exists():
        assert SEED.read_bytes() == shared.read_bytes()
