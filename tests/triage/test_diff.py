"""Comparing two snapshots of a help tree: what was added, removed, reworded or changed."""

import copy
import re

import pytest
from django.utils.safestring import SafeString

from triage import diff as diff_module
from triage.comparison import compare, draft_changes
from triage.models import Node
from triage.word_diff import text_diff_html


def question(node_id, text, choices, hint=""):
    return {
        "id": node_id,
        "kind": "question",
        "name": "",
        "text_en": text,
        "text_fr": f"FR {text}",
        "hint_en": hint,
        "hint_fr": f"FR {hint}" if hint else "",
        "choices": [
            {"slug": slug, "label_en": label, "label_fr": f"FR {label}", "target": target}
            for slug, label, target in choices
        ],
    }


def outcome(node_id, title, guidance="Some guidance.", topic=None):
    return {
        "id": node_id,
        "kind": "outcome",
        "name": "",
        "title_en": title,
        "title_fr": f"FR {title}",
        "guidance_en": guidance,
        "guidance_fr": f"FR {guidance}",
        "contact_allowed": True,
        "topic": topic,
        "response_class": "standard",
    }


@pytest.fixture
def old():
    return {
        "format": 1,
        "tree": {
            "slug": "t",
            "title_en": "Help",
            "title_fr": "Aide",
            "intro_en": "Start here.",
            "intro_fr": "Commencez ici.",
            "start": 1,
        },
        "nodes": [
            question(1, "Who are you?", [("importer", "Importer", 2), ("other", "Other", 3)]),
            question(2, "Are you a non-resident business?", [("yes", "Yes", 3), ("no", "No", 4)]),
            outcome(3, "General help", "Call us on weekdays."),
            outcome(4, "Resident help"),
        ],
    }


def node(data, node_id):
    return next(entry for entry in data["nodes"] if entry["id"] == node_id)


def choice(data, node_id, slug):
    return next(entry for entry in node(data, node_id)["choices"] if entry["slug"] == slug)


def test_identical_snapshots_have_no_changes(old):
    result = compare(old, copy.deepcopy(old))
    assert not result
    assert result.changes == []
    assert result.summary().counts == {"added": 0, "removed": 0, "reworded": 0, "changed": 0}
    assert result.summary().sentence == "no changes"


def test_added_removed_reworded_and_retargeted(old):
    new = copy.deepcopy(old)
    node(new, 2)["text_en"] = "Is your business a non-resident?"
    new["nodes"].remove(node(new, 4))
    choice(new, 2, "no")["target"] = 5
    new["nodes"].append(outcome(5, "Non-resident help"))
    node(new, 1)["choices"].append({"slug": "broker", "label_en": "Broker", "label_fr": "Courtier", "target": 3})
    node(new, 1)["choices"].remove(choice(new, 1, "other"))

    changes = compare(old, new).changes
    summary = [(change.kind, change.what, change.key) for change in changes]
    assert summary == [
        ("added", "choice", (1, "broker")),
        ("removed", "choice", (1, "other")),
        ("reworded", "question", 2),
        ("changed", "choice", (2, "no")),
        ("removed", "outcome", 4),
        ("added", "outcome", 5),
    ]
    reworded = changes[2]
    assert reworded.label_en == "Is your business a non-resident?"
    assert reworded.label_fr == "FR Are you a non-resident business?"
    (text,) = reworded.fields
    assert (text.field, text.language, text.before, text.after) == (
        "text",
        "en",
        "Are you a non-resident business?",
        "Is your business a non-resident?",
    )
    assert "<del>" in text.diff_html and "<ins>" in text.diff_html

    retargeted = changes[3]
    assert retargeted.label_en == "No (of Is your business a non-resident?)"
    # French unchanged, in the French pattern of a choice's label
    assert retargeted.label_fr.startswith("FR No (") and "FR Are you a non-resident business?" in retargeted.label_fr
    (target,) = retargeted.fields
    assert (target.field, target.language, target.before, target.after) == ("target", None, 4, 5)
    assert target.note == "leads to “Non-resident help” instead of “Resident help”"
    assert target.diff_html == "<del>Resident help</del> <ins>Non-resident help</ins>"

    assert changes[0].label_en == "Broker (of Who are you?)"
    assert changes[4].label_en == "Resident help"


def test_summary_sentence_counts_in_a_stable_order(old):
    new = copy.deepcopy(old)
    node(new, 1)["text_en"] = "Who is asking?"
    node(new, 2)["hint_fr"] = "FR Un indice"
    new["nodes"].append(outcome(5, "New help"))
    choice(new, 2, "yes")["target"] = 5
    node(new, 1)["choices"].remove(choice(new, 1, "other"))
    summary = compare(old, new).summary()
    assert summary.counts == {"added": 1, "removed": 1, "reworded": 2, "changed": 1}
    assert summary.sentence == "2 questions reworded, 1 outcome added, 1 choice removed, 1 choice changed"
    assert str(summary) == summary.sentence


def test_french_only_change_is_a_rewording_in_french(old):
    new = copy.deepcopy(old)
    node(new, 3)["guidance_fr"] = "Appelez-nous en semaine."
    (change,) = compare(old, new).changes
    assert (change.kind, change.what, change.label_en, change.label_fr) == (
        "reworded",
        "outcome",
        "General help",
        "FR General help",
    )
    (guidance,) = change.fields
    assert (guidance.field, guidance.language) == ("guidance", "fr")
    assert guidance.before == "FR Call us on weekdays."
    assert guidance.after == "Appelez-nous en semaine."


def test_settings_make_a_change_not_a_rewording(old):
    new = copy.deepcopy(old)
    node(new, 4).update(contact_allowed=False, topic="portal-access", response_class="financial", name="RH")
    node(new, 4)["title_fr"] = "Aide aux résidents"
    new["tree"]["start"] = 2
    new["tree"]["intro_en"] = "Begin here."
    tree_change, outcome_change = compare(old, new).changes
    assert (tree_change.kind, tree_change.what) == ("changed", "tree")
    assert [(f.field, f.language) for f in tree_change.fields] == [("intro", "en"), ("start", None)]
    assert tree_change.fields[1].note == "starts with “Are you a non-resident business?” instead of “Who are you?”"
    assert outcome_change.kind == "changed"
    assert [f.field for f in outcome_change.fields] == ["title", "name", "contact_allowed", "topic", "response_class"]
    notes = [f.note for f in outcome_change.fields]
    assert notes[1:] == [
        "internal name “RH” instead of “none”",
        "clients may no longer contact the helpdesk from here",
        "case topic “portal-access” instead of “none”",
        "response class “financial” instead of “standard”",
    ]


def test_reordered_choices_are_a_change_of_the_question(old):
    new = copy.deepcopy(old)
    node(new, 2)["choices"].reverse()
    (change,) = compare(old, new).changes
    assert (change.kind, change.what, change.key) == ("changed", "question", 2)
    (order,) = change.fields
    assert (order.field, order.before, order.after) == ("order", ["yes", "no"], ["no", "yes"])
    assert order.diff_html == "<del>Yes, No</del> <ins>No, Yes</ins>"


def test_a_node_that_changes_kind_is_removed_and_added(old):
    new = copy.deepcopy(old)
    new["nodes"][1] = outcome(2, "No longer a question")
    changes = [(c.kind, c.what, c.key) for c in compare(old, new).changes]
    assert changes == [
        ("removed", "question", 2),
        ("removed", "choice", (2, "yes")),
        ("removed", "choice", (2, "no")),
        ("added", "outcome", 2),
    ]


def test_first_release_adds_everything(old):
    result = compare(None, old)
    assert [(c.kind, c.what) for c in result.changes][:3] == [
        ("added", "question"),
        ("added", "choice"),
        ("added", "choice"),
    ]
    assert result.summary().sentence == "2 questions added, 2 outcomes added, 4 choices added"
    assert result.summary().counts["added"] == 8


def test_html_in_texts_comes_out_escaped():
    html = text_diff_html('Say <b>"hi"</b> & go', "Say <script>alert(1)</script> & go")
    assert isinstance(html, SafeString)
    assert "<b>" not in html and "<script>" not in html
    assert "script&gt;alert(1)&lt;/script" in html and "&amp; go" in html and "&quot;hi&quot;" in html
    assert set(re.findall(r"</?([a-z]+)", html)) == {"ins", "del"}


def test_html_in_a_changed_label_comes_out_escaped(old):
    new = copy.deepcopy(old)
    choice(new, 1, "other")["label_en"] = "Other <em>party</em>"
    (change,) = compare(old, new).changes
    (label,) = change.fields
    assert label.diff_html == "Other<ins> &lt;em&gt;party&lt;/em&gt;</ins>"
    assert change.label_en == "Other <em>party</em> (of Who are you?)"  # plain text: escaped where shown


def test_word_level_diff_keeps_the_unchanged_words():
    html = text_diff_html("Call us on weekdays.", "Call us on weekends, please.")
    assert html == "Call us on <del>weekdays</del><ins>weekends, please</ins>."
    assert text_diff_html("Who are you?", "Who is asking?") == "Who <del>are you</del><ins>is asking</ins>?"
    assert text_diff_html("a b c d", "a x c y") == "a <del>b</del><ins>x</ins> c <del>d</del><ins>y</ins>"
    assert text_diff_html("", "New") == "<ins>New</ins>"
    assert text_diff_html("Old", "") == "<del>Old</del>"


def test_headlines_and_summary_are_built_from_translatable_pieces(old, monkeypatch):
    """Each (count, thing, kind) piece is one message with its plural forms, so French can word it whole."""
    catalogue = {
        "%(count)d question reworded": ("%(count)d question reformulée", "%(count)d questions reformulées"),
        "%(count)d outcome added": ("%(count)d résultat ajouté", "%(count)d résultats ajoutés"),
    }

    def french_ngettext(singular, plural, count):
        forms = catalogue[singular]
        return forms[0] if count <= 1 else forms[1]

    monkeypatch.setattr(diff_module, "ngettext", french_ngettext)
    new = copy.deepcopy(old)
    node(new, 1)["text_fr"] = "Qui êtes-vous ?"
    node(new, 2)["text_fr"] = "Êtes-vous non résident ?"
    new["nodes"].append(outcome(5, "New help"))
    assert compare(old, new).summary().sentence == "2 questions reformulées, 1 résultat ajouté"
    node(new, 2)["text_fr"] = node(old, 2)["text_fr"]
    assert compare(old, new).summary().sentence == "1 question reformulée, 1 résultat ajouté"


def test_plural_counts_in_english(old):
    new = copy.deepcopy(old)
    new["nodes"].append(outcome(5, "One"))
    assert compare(old, new).summary().sentence == "1 outcome added"
    new["nodes"].append(outcome(6, "Two"))
    assert compare(old, new).summary().sentence == "2 outcomes added"


def test_change_reads_as_a_sentence(old):
    new = copy.deepcopy(old)
    node(new, 3)["title_en"] = "Generic help"
    (change,) = compare(old, new).changes
    assert str(change) == "Outcome reworded: Generic help"


def test_draft_changes_compares_the_draft_with_the_release(small_tree):
    assert not draft_changes(small_tree)
    start = Node.objects.get(pk=small_tree.start_id)
    start.text_en = "Who is asking?"
    start.save()
    small_tree.refresh_from_db()
    changes = draft_changes(small_tree)
    assert changes.summary().sentence == "1 question reworded"
    assert changes.changes[0].fields[0].diff_html == "Who <del>are you</del><ins>is asking</ins>?"
