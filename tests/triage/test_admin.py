"""Staff edit help trees in the admin; saves that would break a tree are refused."""

import pytest
from django.urls import reverse

from triage.models import Choice, Node, Tree
from triage.releases import tree_publish


def inline_data(question, rows, extra=None):
    """The POST data of a node's change form: its fields and its choices inline."""
    data = {
        "kind": question.kind,
        "name": question.name,
        **{
            f"{name}_{language}": getattr(question, f"{name}_{language}")
            for name in ("text", "hint", "title", "guidance")
            for language in ("en", "fr")
        },
        "contact_allowed": "on",
        "topic": question.topic_id or "",
        "response_class": question.response_class,
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": str(sum(1 for row in rows if row.get("id"))),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"choices-{index}-{key}"] = value
        data[f"choices-{index}-question"] = question.pk
    data.update(extra or {})
    return data


def current_rows(question):
    return [
        {
            "id": c.pk,
            "position": c.position,
            "label_en": c.label_en,
            "label_fr": c.label_fr,
            "slug": c.slug,
            "target": c.target_id,
        }
        for c in question.choices.all()
    ]


@pytest.fixture
def edit_url():
    return lambda node: reverse("admin:triage_node_change", args=[node.pk])


def test_admin_lists_and_searches_nodes(carm_tree, admin_client):
    """The node list shows kind, use count and filters, and finds nodes by text."""
    page = admin_client.get(reverse("admin:triage_node_changelist"), {"q": "error codes"}).content.decode()
    assert "Please select one of the following error codes." in page
    assert "6 places" in page
    assert admin_client.get(reverse("admin:triage_node_changelist"), {"kind__exact": "outcome"}).status_code == 200


def test_node_change_page_shows_where_it_is_used(carm_tree, admin_client, edit_url):
    """A node's page lists the choices that lead to it and links to the client's view."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    page = admin_client.get(edit_url(question)).content.decode()
    assert "Used in 6 places:" in page
    assert "View on site" in page
    assert 'name="choices-0-label_en"' in page and 'value="EC-1012"' in page


def test_view_on_site_opens_the_step(carm_tree, admin_client):
    """View on site opens the question as clients see it, by the shortest path."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    assert question.get_absolute_url() == "/en/help/carm/questions/importer/no/error-code/"
    orphan = Node.objects.create(tree=carm_tree, kind=Node.Kind.OUTCOME, title_en="Orphan", guidance_en="x")
    assert orphan.get_absolute_url() is None


def test_editing_a_shared_question_applies_everywhere(carm_tree, admin_client, edit_url, client):
    """Staff add a choice to the shared error-code question; once published, every path shows it."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    other = Node.objects.get(tree=carm_tree, title_en="An error code not listed here")
    rows = [
        *current_rows(question),
        {"position": 5, "label_en": "EC-2000", "label_fr": "EC-2000", "slug": "ec-2000", "target": other.pk},
    ]
    response = admin_client.post(edit_url(question), inline_data(question, rows))
    assert response.status_code == 302
    paths = (
        "importer/yes/yes/error-code/",
        "other/no/difficulty-activating-or-configuring-your-business-account/error-code/",
    )
    for path in paths:
        assert "EC-2000" not in client.get(f"/en/help/carm/questions/{path}").content.decode()
    tree_publish(carm_tree, note="EC-2000")
    for path in paths:
        assert "EC-2000" in client.get(f"/en/help/carm/questions/{path}").content.decode()


def test_save_that_makes_a_loop_is_refused(carm_tree, admin_client, edit_url):
    """A choice leading back to the first question is refused with a clear message; nothing saved."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    rows = [
        *current_rows(question),
        {"position": 5, "label_en": "Again", "label_fr": "Encore", "slug": "again", "target": carm_tree.start_id},
    ]
    response = admin_client.post(edit_url(question), inline_data(question, rows))
    assert response.status_code == 200
    assert "making a loop" in response.content.decode()
    assert not Choice.objects.filter(slug="again").exists()


def test_removing_the_only_way_to_an_outcome_is_refused(carm_tree, admin_client, edit_url):
    """Deleting a choice that is the only way to an outcome would orphan it: refused."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    rows = current_rows(question)
    rows[0]["DELETE"] = "on"
    response = admin_client.post(edit_url(question), inline_data(question, rows))
    assert "cannot be reached from the first question" in response.content.decode()
    assert question.choices.count() == 4


def test_duplicate_slugs_and_empty_question_are_refused(carm_tree, admin_client, edit_url):
    """Two choices with one slug, or a question left with no choices, are refused."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    rows = current_rows(question)
    rows[1]["slug"] = rows[0]["slug"]
    page = admin_client.post(edit_url(question), inline_data(question, rows)).content.decode()
    assert "Two choices of one question cannot have the same slug." in page
    assert sorted(question.choices.values_list("slug", flat=True)) == ["ec-1012", "ec-1023", "ec-1029", "other"]
    for row in rows:
        row.update(slug=f"slug-{row['id']}", DELETE="on")
    page = admin_client.post(edit_url(question), inline_data(question, rows)).content.decode()
    assert "has no choices" in page
    assert question.choices.count() == 4


def test_outcome_without_guidance_is_refused(carm_tree, admin_client, edit_url):
    """Clearing an outcome's guidance is refused."""
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    data = inline_data(outcome, [], {"guidance_en": "", "guidance_fr": ""})
    page = admin_client.post(edit_url(outcome), data).content.decode()
    assert "has no guidance" in page
    outcome.refresh_from_db()
    assert outcome.guidance_en


def test_adding_a_new_outcome_then_linking_it(carm_tree, admin_client, edit_url, client):
    """A new outcome can be added, then reached by a new choice."""
    data = inline_data(
        Node(
            kind="outcome",
            title_en="New help",
            title_fr="Nouvelle aide",
            guidance_en="Try this.",
            guidance_fr="Essayez ceci.",
        ),
        [],
        {"tree": carm_tree.pk},
    )
    response = admin_client.post(reverse("admin:triage_node_add"), data)
    assert response.status_code == 302
    new = Node.objects.get(title_en="New help")
    question = Node.objects.get(tree=carm_tree, text_en="What problem are you having delegating authority?")
    rows = [
        *current_rows(question),
        {
            "position": 9,
            "label_en": "Something new",
            "label_fr": "Autre chose",
            "slug": "something-new",
            "target": new.pk,
        },
    ]
    assert admin_client.post(edit_url(question), inline_data(question, rows)).status_code == 302
    tree_publish(carm_tree, note="New help")
    page = client.get("/en/help/carm/questions/other/no/delegation-of-authority/something-new/").content.decode()
    assert "<h1>New help</h1>" in page


def test_tree_start_change_checked(carm_tree, admin_client):
    """Pointing the tree at another first question that orphans the rest is refused."""
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    data = {**tree_data(carm_tree), "start": outcome.pk}
    page = admin_client.post(reverse("admin:triage_tree_change", args=[carm_tree.pk]), data).content.decode()
    assert "is not a question" in page
    assert Tree.objects.get(pk=carm_tree.pk).start_id != outcome.pk


def tree_data(tree, **changes):
    """The POST data of a tree's change form."""
    data = {"slug": tree.slug, "slug_fr": tree.slug_fr, "start": tree.start_id}
    data.update(
        {
            f"{name}_{language}": getattr(tree, f"{name}_{language}")
            for name in ("title", "intro")
            for language in ("en", "fr")
        }
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_draft_takes_english_first_and_cannot_be_published_until_translated(carm_tree, admin_client, edit_url):
    """A draft accepts a text in one language; publishing lists every missing text and publishes nothing."""
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    response = admin_client.post(edit_url(outcome), inline_data(outcome, [], {"guidance_fr": "", "title_fr": ""}))
    assert response.status_code == 302
    url = reverse("admin:triage_tree_change", args=[carm_tree.pk])
    assert admin_client.post(url, tree_data(carm_tree, intro_fr="")).status_code == 302
    publish = reverse("admin:triage_tree_publish", args=[carm_tree.pk])
    page = admin_client.post(publish, {"note": "Half done"}).content.decode()
    assert "The draft cannot be published until these are fixed:" in page
    assert "The tree: introduction (French) is empty." in page
    assert "Error code EC-1012 (#" in page and "outcome title (French) is empty." in page
    assert "guidance (French) is empty." in page
    assert Tree.objects.get(pk=carm_tree.pk).current_release.number == 1
    french = "/fr/aide/gcra/questions/importateur/non/code-d-erreur/ec-1012/"
    assert "Code d&#x27;erreur EC-1012" in admin_client.get(french).content.decode()
    outcome.title_fr, outcome.guidance_fr = "Code EC-1012", "Notez le code."
    outcome.save()
    assert admin_client.post(url, tree_data(carm_tree, intro_fr="Introduction.")).status_code == 302
    # Only the French changed since release 1: staff tick that they checked the English still says the same.
    assert "English not updated since the French changed" in admin_client.get(publish).content.decode()
    response = admin_client.post(publish, {"note": "Translated", "languages_checked": "on"})
    assert response.status_code == 302 and response["Location"].endswith("/releases/")
    assert Tree.objects.get(pk=carm_tree.pk).current_release.number == 2
    assert "Notez le code." in admin_client.get(french).content.decode()


def test_admin_pages_open(carm_tree, admin_client):
    """The tree list and change page, topic list and node add page open for staff."""
    for url in (
        reverse("admin:triage_tree_changelist"),
        reverse("admin:triage_tree_change", args=[carm_tree.pk]),
        reverse("admin:triage_node_add"),
        reverse("admin:helpdesk_topic_changelist"),
    ):
        assert admin_client.get(url).status_code == 200, url


def test_target_autocomplete_finds_nodes(carm_tree, admin_client):
    """Choosing where a choice leads: typing part of a title finds the node."""
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "not listed", "app_label": "triage", "model_name": "choice", "field_name": "target"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        str(Node.objects.get(title_en="An error code not listed here"))
    ]
