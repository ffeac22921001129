"""The outline parser reads the seed as the help tool presents it."""

from collections import Counter

import pytest

from triage.outline import OutlineError, parse_outline


def questions_on_paths(outline):
    return Counter(question for path in outline.paths() for question, _label in path)


def test_seed_has_365_paths(carm_outline):
    """The seed describes 365 root-to-leaf paths."""
    assert len(list(carm_outline.paths())) == 365


def test_seed_header(carm_outline):
    """Title, introduction and subjects come from the top of the seed."""
    assert carm_outline.title == "Get help with the CARM Client Portal"
    assert carm_outline.intro.startswith("Use this interactive tool")
    assert [s for _i, s in carm_outline.subjects][:2] == ["registering your business", "GCKey and Sign-in Partner"]


def test_six_roles_in_order(carm_outline):
    """The first question offers the six roles in the seed's order."""
    assert carm_outline.root.text == "Please identify yourself"
    assert [c.label for c in carm_outline.root.choices] == [
        "Importer",
        "Customs broker",
        "Trade consultant",
        "Customs bonded warehouse licensee",
        "Financial security provider",
        "Other",
    ]


def test_first_and_last_paths(carm_outline):
    """The walk follows the seed's order, from the first option to the last."""
    paths = list(carm_outline.paths())
    assert [label for _q, label in paths[0]] == [
        "Importer",
        "Yes",
        "Yes",
        "Difficulty activating or configuring your business account",
        "Error code",
        "EC-1012",
    ]
    assert paths[-1] == (
        ("Please identify yourself", "Other"),
        ("Are you a non-resident business?", "No"),
        ("Please select the issue that best describes your difficulty.", "Other"),
        ("Please select one of the following.", "Other"),
    )


def test_texts_differing_only_by_a_period_stay_apart(carm_outline):
    """ "Please select one of the following" and the same with a period are different questions."""
    texts = {q for path in carm_outline.paths() for q, _l in path}
    assert {"Please select one of the following", "Please select one of the following."} <= texts


def test_paper_security_yes_ends_and_no_asks_about_electronic(carm_outline):
    """The follow-up question is read under "No", not under "Yes"."""
    labels = [tuple(label for _q, label in path) for path in carm_outline.paths()]
    assert ("Importer", "Yes", "Yes", "Posting, adjusting or cancelling financial security", "Yes") in labels
    assert ("Importer", "Yes", "Yes", "Posting, adjusting or cancelling financial security", "No", "No") in labels


@pytest.mark.parametrize(
    "role, has_statement, has_security",
    [
        ("Importer", False, True),
        ("Customs broker", True, False),
        ("Trade consultant", False, False),
        ("Customs bonded warehouse licensee", False, False),
        ("Financial security provider", False, True),
        ("Other", False, False),
    ],
)
def test_role_differences(carm_outline, role, has_statement, has_security):
    """Only brokers can't find a statement of account; only importers and providers post security."""
    labels = {label for path in carm_outline.paths() if path[0][1] == role for _q, label in path}
    assert ("Cannot find statement of account" in labels) is has_statement
    assert ("Posting, adjusting or cancelling financial security" in labels) is has_security


def test_financial_security_first_for_providers(carm_outline):
    """Financial security providers see financial security first (non-residents with a BN)."""
    path = next(p for p in carm_outline.paths() if p[0][1] == "Financial security provider")
    assert path[3][1] == "Posting, adjusting or cancelling financial security"


def test_parser_rejects_a_question_without_choices():
    """An outline whose question has no choices is refused with a clear message."""
    with pytest.raises(OutlineError, match="without choices"):
        parse_outline("Title\n\nIntro\n\nPlease identify yourself\n\n  \u2022 A\n\n    Dangling question?\n")
