"""A tree's draft exported as one TOML document and imported back, and the commands that do it and publish."""

import io
import tomllib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import build_tree
from triage.exchange import DraftImportError, export_draft, write_document
from triage.exchange_import import import_draft
from triage.exchange_reader import read_document
from triage.models import Choice, Node, Release, Tree
from triage.releases import snapshot


def toml(data):
    return write_document(data)


def state(tree):
    """Everything an import may change, to check that a refused one changed nothing."""
    tree = Tree.objects.get(pk=tree.pk)
    return snapshot(tree), tree.revision, Node.objects.count(), Choice.objects.count()


def entry(data, node_id):
    return next(node for node in data["nodes"] if node["id"] == node_id)


# Exporting


def test_export_is_one_readable_toml_document(carm_tree):
    text = export_draft(carm_tree)
    data = snapshot(carm_tree)
    assert text.startswith('# Draft of the help tree "carm"')
    assert '\nformat = 1\n\n[tree]\nslug = "carm"\n' in text
    assert text.count("\n[[node]]\n") == len(data["nodes"])
    assert text.count("\n[[node.choice]]\n") == sum(len(node.get("choices", [])) for node in data["nodes"])
    # Guidance is written on several lines, as staff wrote it, not as one escaped line.
    assert 'guidance_en = """\n' in text and "\\n" not in text
    first = text.split("[[node]]\n", 2)[1].splitlines()
    assert first[:3] == ["id = 1", 'kind = "question"', f'name = "{data["nodes"][0]["name"]}"']
    assert tomllib.loads(text)["tree"]["start"] == carm_tree.start_id


def test_outcome_keys_come_in_a_stable_order(small_tree):
    text = export_draft(small_tree)
    outcome_table = next(part for part in text.split("[[node]]\n") if 'kind = "outcome"' in part)
    keys = [line.split(" = ")[0] for line in outcome_table.splitlines() if " = " in line]
    assert keys == [
        "id",
        "kind",
        "name",
        "title_en",
        "title_fr",
        "response_class",
        "contact_allowed",
        "guidance_en",
        "guidance_fr",
    ]  # no topic: this outcome has none


def test_round_trip_on_the_carm_tree_changes_nothing(carm_tree):
    text = export_draft(carm_tree)
    before = state(carm_tree)
    result = import_draft(carm_tree, text)
    assert not result.changed and not result.diff
    assert (result.created, result.updated, result.deleted) == (0, 0, 0)
    assert export_draft(carm_tree) == text
    assert state(carm_tree) == before  # not even a new revision: nothing was written
    assert read_document(text) == snapshot(carm_tree)


def test_round_trip_keeps_awkward_texts_exactly(db):
    tree = build_tree("awkward", {'Say "hi" \\ or <b>bold</b>?': {"Yes": "Tabs\tand\r\nWindows lines", "No": "Done"}})
    outcome = Node.objects.get(tree=tree, title_en="Done")
    outcome.guidance_en = 'Line one\n\n  indented """ quotes\\\nends with a quote"'
    outcome.guidance_fr = "Fin\r\nde ligne Windows\u00a0; émoji 🙂 and \x7f"
    outcome.save()
    text = export_draft(tree)
    assert import_draft(tree, text).changed is False
    assert export_draft(tree) == text
    assert read_document(text) == snapshot(tree)


# Importing


def edited_carm(tree):
    """The CARM draft with a question reworded, an outcome added with a choice to it, and an outcome removed."""
    data = snapshot(tree)
    question = entry(data, tree.start_id)
    question["text_en"] = "Please tell us who you are"
    # An outcome that only one choice leads to, of a question with other choices.
    incoming = {}
    for node in data["nodes"]:
        for choice in node.get("choices", []):
            incoming.setdefault(choice["target"], []).append((node, choice))
    removed = next(
        node
        for node in data["nodes"]
        if node["kind"] == "outcome"
        and len(incoming.get(node["id"], [])) == 1
        and len(incoming[node["id"]][0][0]["choices"]) > 1
    )
    asker, choice = incoming[removed["id"]][0]
    asker["choices"].remove(choice)
    data["nodes"].remove(removed)
    data["nodes"].append(
        {
            "id": "new-1",
            "kind": "outcome",
            "name": "",
            "title_en": "Help for carriers",
            "title_fr": "Aide aux transporteurs",
            "guidance_en": "Carriers use the eManifest portal.\n\nCall us if it fails.\n",
            "guidance_fr": "Les transporteurs utilisent le portail eManifeste.\n",
            "contact_allowed": False,
            "topic": "portal-access",
            "response_class": "standard",
        }
    )
    question["choices"].insert(
        1, {"slug": "carrier", "label_en": "Carrier", "label_fr": "Transporteur", "target": "new-1"}
    )
    return data, removed


def test_import_edits_adds_and_removes_without_publishing(carm_tree):
    published = carm_tree.current_release.snapshot
    revision = carm_tree.revision
    data, removed = edited_carm(carm_tree)

    result = import_draft(carm_tree, toml(data))

    new_id = result.ids["new-1"]
    assert (result.created, result.deleted) == (1, 1)
    assert not Node.objects.filter(pk=removed["id"]).exists()
    after = snapshot(carm_tree)
    assert after == result.after
    # The draft reads as the document, the new node under its real id.
    expected = read_document(toml(data))
    for node in expected["nodes"]:
        if node["id"] == "new-1":
            node["id"] = new_id
        for choice in node.get("choices", []):
            if choice["target"] == "new-1":
                choice["target"] = new_id
    expected["nodes"].sort(key=lambda node: node["id"])
    assert after == expected
    start = entry(after, carm_tree.start_id)
    assert [choice["slug"] for choice in start["choices"]][:2] == ["importer", "carrier"]
    # Clients still see release 1; the draft has a new revision.
    carm_tree.refresh_from_db()
    assert carm_tree.current_release.number == 1
    assert carm_tree.current_release.snapshot == published
    assert Release.objects.filter(tree=carm_tree).count() == 1
    assert carm_tree.revision != revision
    assert result.diff.summary().sentence == (
        "1 question reworded, 1 outcome added, 1 outcome removed, 1 choice added, 1 choice removed"
    )


def test_a_case_of_a_removed_outcome_is_kept(carm_tree, make_case):
    data, removed = edited_carm(carm_tree)
    case = make_case(outcome_id=removed["id"], outcome_title=removed["title_en"])
    import_draft(carm_tree, toml(data))
    case.refresh_from_db()
    assert case.outcome_id is None and case.outcome_title == removed["title_en"]


def test_import_may_change_the_tree_texts_start_and_a_node_kind(small_tree):
    data = snapshot(small_tree)
    start = entry(data, small_tree.start_id)
    importer = next(choice for choice in start["choices"] if choice["slug"] == "importer")
    non_resident = entry(data, importer["target"])
    # The first question becomes a new one in front; "Are you a non-resident business?" becomes an outcome.
    data["tree"].update(title_en="Small help", intro_fr="Bonjour.\n", start=900)
    data["nodes"].insert(
        0,
        {
            "id": 900,
            "kind": "question",
            "name": "front",
            "text_en": "Shall we start?",
            "text_fr": "On commence ?",
            "hint_en": "",
            "hint_fr": "",
            "choices": [{"slug": "go", "label_en": "Go", "label_fr": "Allez", "target": start["id"]}],
        },
    )
    removed_targets = [choice["target"] for choice in non_resident["choices"]]
    for node_id in removed_targets:
        data["nodes"].remove(entry(data, node_id))
    non_resident.clear()
    non_resident.update(
        {
            "id": importer["target"],
            "kind": "outcome",
            "name": "",
            "title_en": "Importers",
            "title_fr": "Importateurs",
            "guidance_en": "Read this.",
            "guidance_fr": "Lisez ceci.",
            "contact_allowed": True,
            "topic": None,
            "response_class": "financial",
        }
    )
    result = import_draft(small_tree, toml(data))
    assert small_tree.title_en == "Small help" and small_tree.intro_fr == "Bonjour.\n"
    assert small_tree.start_id == result.ids[900]  # 900 is no node of the tree: a new one
    outcome = Node.objects.get(pk=importer["target"])
    assert (outcome.kind, outcome.text_en, outcome.response_class) == ("outcome", "", "financial")
    assert not Choice.objects.filter(question=outcome).exists()
    assert export_draft(small_tree) == export_draft(Tree.objects.get(pk=small_tree.pk))
    assert import_draft(small_tree, export_draft(small_tree)).changed is False


def test_reordering_choices_in_the_document_reorders_them(small_tree):
    data = snapshot(small_tree)
    entry(data, small_tree.start_id)["choices"].reverse()
    import_draft(small_tree, toml(data))
    assert snapshot(small_tree) == data
    data["nodes"][0]["choices"].reverse()
    import_draft(small_tree, toml(data))
    assert snapshot(small_tree) == data


def test_positions_that_give_the_order_are_kept(small_tree):
    """Choices all at position 0 (the admin's default) are listed by id: an import that keeps them writes nothing."""
    Choice.objects.filter(question__tree=small_tree).update(position=0)
    Tree.touch(pk=small_tree.pk)
    data = snapshot(small_tree)
    data["nodes"][0]["choices"].append(
        {
            "slug": "later",
            "slug_fr": "plus-tard",
            "label_en": "Later",
            "label_fr": "Plus tard",
            "target": data["nodes"][-1]["id"],
        }
    )
    before = state(small_tree)
    assert import_draft(small_tree, export_draft(small_tree)).changed is False
    assert state(small_tree) == before
    import_draft(small_tree, toml(data))
    assert snapshot(small_tree) == data
    positions = dict(Choice.objects.filter(question_id=data["nodes"][0]["id"]).values_list("slug", "position"))
    assert positions == {"importer": 0, "other": 0, "later": 1}


def test_a_document_written_by_hand_may_leave_out_optional_keys(small_tree):
    text = export_draft(small_tree)
    start_table = f"[[node]]\nid = {small_tree.start_id}\n"
    addition = (
        '\n[[node.choice]]\nslug = "carrier"\nlabel_en = "Carrier"\ntarget = "new-1"\n'
        '\n[[node]]\nid = "new-1"\nkind = "outcome"\ntitle_en = "Carriers"\nguidance_en = "Use eManifest."\n'
    )
    # Add the choice at the end of the first question's table, and the outcome after it.
    head, rest = text.split(start_table)
    first, *others = rest.split("\n[[node]]\n")
    text = head + start_table + first + addition + "".join(f"\n[[node]]\n{other}" for other in others)
    result = import_draft(small_tree, text)
    outcome = Node.objects.get(pk=result.ids["new-1"])
    assert (outcome.title_fr, outcome.contact_allowed, outcome.response_class, outcome.topic) == (
        "",
        True,
        "standard",
        None,
    )
    assert Choice.objects.get(slug="carrier").label_fr == ""


# Documents refused


def bad(tree, change):
    data = snapshot(tree)
    change(data)
    return toml(data)


def retarget_to_missing(data):
    data["nodes"][0]["choices"][0]["target"] = 9999


def duplicate_slug(data):
    choices = data["nodes"][0]["choices"]
    choices[1]["slug"] = choices[0]["slug"]


def unknown_topic(data):
    next(node for node in data["nodes"] if node["kind"] == "outcome")["topic"] = "no-such-topic"


def other_slug(data):
    data["tree"]["slug"] = "another-tree"


def make_loop(data):
    question = next(
        node for node in data["nodes"] if node["kind"] == "question" and node["id"] != data["tree"]["start"]
    )
    question["choices"][0]["target"] = data["tree"]["start"]


def orphan(data):
    data["nodes"][0]["choices"].pop(0)


def bad_response_class(data):
    next(node for node in data["nodes"] if node["kind"] == "outcome")["response_class"] = "urgent"


def choices_on_outcome(data):
    next(node for node in data["nodes"] if node["kind"] == "outcome")["choices"] = data["nodes"][0]["choices"]


def empty_question(data):
    data["nodes"][0]["text_en"] = " "


def bad_slug(data):
    data["nodes"][0]["choices"][0]["slug"] = "not a slug!"


def too_long(data):
    data["nodes"][0]["text_fr"] = "x" * 501


def duplicate_id(data):
    data["nodes"][1]["id"] = data["nodes"][0]["id"]


@pytest.mark.parametrize(
    "change, message",
    [
        (retarget_to_missing, "it leads to node 9999, which is not in the document"),
        (duplicate_slug, "more than one choice has the slug “importer”"),
        (unknown_topic, "the case topic “no-such-topic” does not exist"),
        (other_slug, "The document is for the help tree “another-tree”, not “carm”."),
        (make_loop, "making a loop"),
        (orphan, "cannot be reached from the first question"),
        (bad_response_class, "“response_class” must be one of “standard”, “financial”"),
        (choices_on_outcome, "only questions can have choices"),
        (empty_question, "“text_en” cannot be empty"),
        (bad_slug, "“slug”: Enter a valid “slug”"),
        (too_long, "“text_fr”: Ensure this value has at most 500 characters (it has 501)."),
        (duplicate_id, "More than one node has the id 1."),
    ],
)
def test_bad_documents_are_refused_changing_nothing(carm_tree, change, message):
    before = state(carm_tree)
    with pytest.raises(DraftImportError) as raised:
        import_draft(carm_tree, bad(carm_tree, change))
    assert any(message in problem for problem in raised.value.problems), raised.value.problems
    assert state(carm_tree) == before


@pytest.mark.parametrize(
    "text, message",
    [
        ("format = 1\n[tree\n", "The document is not valid TOML: "),
        ('format = 2\n[tree]\nslug = "carm"\ntitle_en = "T"\n', "The document must say format = 1; it says 2."),
        ('[tree]\nslug = "carm"\ntitle_en = "T"\n', "The document must say format = 1; it says nothing."),
        ("format = 1\n", "The document has no [tree] table."),
        ('format = 1\n[tree]\nslug = "carm"\ntitel_en = "T"\n', "The tree: unknown key “titel_en”"),
        ('format = 1\n[tree]\nslug = "carm"\n', "The tree: “title_en” is missing"),
        (
            'format = 1\n[tree]\nslug = "carm"\ntitle_en = "T"\n[[node]]\nid = 1\nkind = "page"\n',
            "Node 1: “kind” must be “question” or “outcome”",
        ),
        (
            'format = 1\n[tree]\nslug = "carm"\ntitle_en = "T"\n[[node]]\nid = 1.5\nkind = "outcome"\ntitle_en = "A"\n',
            "Node 1.5: “id” must be a whole number or a text",
        ),
        (
            'format = 1\n[tree]\nslug = "carm"\ntitle_en = "T"\n[[node]]\nid = 1\nkind = "outcome"\ntitle_en = "A"\n'
            "contact_allowed = 1\n",
            "Node 1: “contact_allowed” must be true or false",
        ),
        (
            'format = 1\n[tree]\nslug = "carm"\ntitle_en = "T"\nstart = 7\n',
            "The tree: it starts with node 7, which is not in the document",
        ),
        (
            'format = 1\n[tree]\nslug = "carm"\ntitle_en = "T\\u0000"\n',
            "The tree: “title_en” contains a null character",
        ),
    ],
)
def test_malformed_documents_are_refused(carm_tree, text, message):
    before = state(carm_tree)
    with pytest.raises(DraftImportError) as raised:
        import_draft(carm_tree, text)
    assert any(problem.startswith(message) for problem in raised.value.problems), raised.value.problems
    assert str(raised.value)
    assert state(carm_tree) == before


def test_a_problem_the_draft_already_has_does_not_block_an_import(small_tree):
    """As in the admin, only the breakage a change adds is refused."""
    question = Node.objects.create(tree=small_tree, kind="question", text_en="Forgotten?", text_fr="Oublié ?")
    data = snapshot(small_tree)
    entry(data, small_tree.start_id)["text_en"] = "Who is asking?"
    entry(data, question.pk)["text_en"] = "Still forgotten?"
    result = import_draft(small_tree, toml(data))
    assert result.diff.summary().sentence == "2 questions reworded"


# Commands


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_tree_writes_to_stdout_or_a_file(small_tree, tmp_path):
    out, _err = run("export_tree", "small")
    assert out == export_draft(small_tree)
    target = tmp_path / "small.toml"
    run("export_tree", "small", "--output", str(target))
    assert target.read_text(encoding="utf-8") == out
    with pytest.raises(CommandError, match="No help tree has the slug “nope”."):
        run("export_tree", "nope")


def test_import_tree_says_what_changed(carm_tree, tmp_path):
    data, _removed = edited_carm(carm_tree)
    document = tmp_path / "carm.toml"
    document.write_text(toml(data), encoding="utf-8")
    out, _err = run("import_tree", "carm", str(document), "--verbosity", "2")
    assert "Imported into the draft of carm: 1 question reworded, 1 outcome added, 1 outcome removed" in out
    assert "Outcome added: Help for carriers" in out
    assert "1 new node got its id; export the draft again to see it." in out
    assert "The draft is not published" in out
    assert Node.objects.filter(title_en="Help for carriers").exists()
    document.write_text(export_draft(carm_tree), encoding="utf-8")
    out, _err = run("import_tree", "carm", str(document))
    assert out.startswith("Imported into the draft of carm: no changes")


def test_import_tree_dry_run_changes_nothing(carm_tree, tmp_path):
    data, _removed = edited_carm(carm_tree)
    document = tmp_path / "carm.toml"
    document.write_text(toml(data), encoding="utf-8")
    before = state(carm_tree)
    out, _err = run("import_tree", "carm", str(document), "--dry-run")
    assert out.startswith("Dry run, nothing saved. Importing would change the draft of carm: 1 question reworded")
    assert state(carm_tree) == before
    assert not Node.objects.filter(title_en="Help for carriers").exists()


def test_import_tree_lists_the_problems_of_a_bad_document(carm_tree, tmp_path):
    document = tmp_path / "carm.toml"
    document.write_text(bad(carm_tree, unknown_topic), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: the document has 1 problem."):
        call_command("import_tree", "carm", str(document), stdout=io.StringIO(), stderr=err)
    assert "the case topic “no-such-topic” does not exist" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_tree", "carm", str(tmp_path / "missing.toml"))


def test_publish_tree_publishes_the_draft(small_tree):
    start = Node.objects.get(pk=small_tree.start_id)
    start.text_en = "Who is asking?"
    start.save()
    out, _err = run("publish_tree", "small", "--note", "Reworded the first question.")
    assert out.splitlines() == ["Published release 2 of small", "Changes for clients: 1 question reworded"]
    small_tree.refresh_from_db()
    release = small_tree.current_release
    assert (release.number, release.note, release.snapshot) == (2, "Reworded the first question.", snapshot(small_tree))
    out, _err = run("publish_tree", "small", "--note", "Again.")
    assert out.startswith("Published release 3 of small")


def test_publish_tree_refuses_a_draft_with_a_problem(small_tree):
    Node.objects.create(tree=small_tree, kind="question", text_en="No answers?", text_fr="Pas de réponses ?")
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"Nothing was published: the draft of small has \d+ problems?\."):
        call_command("publish_tree", "small", "--note", "Try.", stdout=io.StringIO(), stderr=err)
    assert "- Question No answers? (#" in err.getvalue() and ") has no choices." in err.getvalue()
    small_tree.refresh_from_db()
    assert small_tree.current_release.number == 1


def test_publish_tree_requires_a_note(small_tree):
    with pytest.raises(CommandError, match="--note"):
        run("publish_tree", "small")
