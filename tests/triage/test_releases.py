"""Tree releases: staff edit a draft, preview it, publish it as an immutable release, and roll back."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.models import Case
from tests.cases.test_contact import FORM, contact_url, form_token
from tests.conftest import make_staff, sign_in_staff
from triage.models import Node, Release
from triage.releases import PublishError, tree_publish, tree_roll_back

EC_1012 = "importer/yes/yes/error-code/ec-1012/"
QUESTION = "Please select one of the following error codes."


def staff_client(client, group):
    user = make_staff(group.split()[0].lower(), group)
    return sign_in_staff(client, user), user


def reword(tree, text):
    question = Node.objects.get(tree=tree, text_en=QUESTION)
    question.text_en = text
    question.save()
    return question


def test_the_draft_is_not_public_until_published(carm_tree, client):
    """An edit changes the draft only; the release clients see stays as it was, word for word."""
    before = Release.objects.get(pk=carm_tree.current_release_id).snapshot
    reword(carm_tree, "Which error code?")
    page = client.get("/en/help/carm/questions/importer/yes/yes/error-code/").content.decode()
    assert QUESTION in page and "Which error code?" not in page
    assert Release.objects.get(pk=carm_tree.current_release_id).snapshot == before


def test_publishing_numbers_releases_and_records_who(carm_tree, admin_user):
    """Each publish is the next number, with its note and publisher; the tree switches to it."""
    reword(carm_tree, "Which error code?")
    release = tree_publish(carm_tree, by=admin_user, note="Shorter question")
    carm_tree.refresh_from_db()
    assert (release.number, release.note, release.published_by) == (2, "Shorter question", admin_user)
    assert carm_tree.current_release == release
    texts = [node.get("text_en") for node in release.snapshot["nodes"]]
    assert "Which error code?" in texts and QUESTION not in texts


def test_a_broken_draft_is_not_published(carm_tree):
    """A question with no choices, or a text missing in French, blocks publishing; nothing changes."""
    Node.objects.create(tree=carm_tree, kind="question", text_en="Lonely?", text_fr="")
    with pytest.raises(PublishError) as raised:
        tree_publish(carm_tree, note="Broken")
    problems = " ".join(raised.value.problems)
    assert "has no choices" in problems and "(French) is empty" in problems
    assert carm_tree.releases.count() == 1


def test_rolling_back_publishes_the_old_snapshot_again(carm_tree, client):
    """A rollback is a new release with an earlier release's snapshot; the draft stays as it is."""
    first = carm_tree.current_release
    reword(carm_tree, "Which error code?")
    tree_publish(carm_tree, note="Reworded")
    rolled = tree_roll_back(first)
    assert (rolled.number, rolled.restores) == (3, first) and rolled.snapshot == first.snapshot
    page = client.get("/en/help/carm/questions/importer/yes/yes/error-code/").content.decode()
    assert QUESTION in page
    assert Node.objects.filter(text_en="Which error code?").exists()


def test_a_case_records_its_release(carm_tree, client):
    """A case filed from the help tool names the release the client walked."""
    url = contact_url(EC_1012)
    client.post(url, {**FORM, "token": form_token(client, url)})
    assert Case.objects.get().release == carm_tree.current_release


def test_preview_shows_the_draft_to_tree_editors_only(carm_tree, client):
    """Tree editors walk the draft under a banner; case reviewers and clients cannot."""
    reword(carm_tree, "Which error code?")
    preview = "/en/help/carm/preview/questions/importer/yes/yes/error-code/"
    anonymous = client.get(preview)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    reviewers, _user = staff_client(client.__class__(), "Case reviewers")
    assert reviewers.get(preview).status_code == 403
    editors, _user = staff_client(client, "Tree editors")
    response = editors.get(preview)
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Preview of the draft" in page and "<h1>Which error code?</h1>" in page
    answered = editors.get(preview, {"answer": "ec-1012"})
    assert answered["Location"] == preview + "ec-1012/"
    french = editors.get("/fr/aide/gcra/apercu/questions/importateur/oui/oui/code-d-erreur/").content.decode()
    assert "<strong>Aperçu de l'ébauche</strong>" in french and "Preview of the draft" not in french
    outcome = editors.get(preview + "ec-1012/").content.decode()
    assert "/contact/" not in outcome.split("<main")[1].split("</main>")[0] and "Did you find" not in outcome


def test_preview_shows_an_edit_of_the_tree_itself_at_once(carm_tree, admin_client):
    """The title and introduction edited in the admin show in the preview's next pages, in both languages,
    though the pages of the draft before the edit were kept."""
    old_titles = carm_tree.title_en, carm_tree.title_fr
    edited = {
        "en": ("Help with the portal, edited", "An introduction, edited."),
        "fr": ("Aide pour le portail, modifiée", "Une introduction, modifiée."),
    }

    previews = {"en": "/en/help/carm/preview/", "fr": "/fr/aide/gcra/apercu/"}

    def pages(language):
        start = admin_client.get(previews[language]).content.decode()
        question = admin_client.get(f"{previews[language]}questions/").content.decode()
        return start, question

    for language in edited:
        pages(language)
    response = admin_client.post(
        reverse("admin:triage_tree_change", args=[carm_tree.pk]),
        {
            "title_en": edited["en"][0],
            "title_fr": edited["fr"][0],
            "slug": "carm",
            "slug_fr": "gcra",
            "intro_en": edited["en"][1],
            "intro_fr": edited["fr"][1],
            "start": carm_tree.start_id,
        },
    )
    assert response.status_code == 302, response.content.decode()
    for language, old_title in zip(edited, old_titles, strict=True):
        start, question = pages(language)
        title, intro = edited[language]
        assert f"<h1>{title}</h1>" in start and f"<p>{intro}</p>" in start
        assert f'<p class="tree-title">{title}</p>' in question and f" – {title} – " in question
        assert escape(old_title) not in start + question


def test_preview_pages_kept_before_a_publish_show_the_date_it_gives(carm_tree, admin_client, clock):
    """Publishing dates the tree's last change, which the preview's pages give as their date modified:
    a page of the draft kept before the publish is not shown again with the date before it."""
    today = clock.now
    clock.to(today - timedelta(days=3))
    reword(carm_tree, "Which error code?")
    preview = "/en/help/carm/preview/questions/importer/yes/yes/error-code/"
    edited = timezone.localdate(clock.now).isoformat()
    assert f"<time>{edited}</time>" in admin_client.get(preview).content.decode()
    clock.to(today)
    tree_publish(carm_tree)
    page = admin_client.get(preview).content.decode()
    assert f"<time>{timezone.localdate(today).isoformat()}</time>" in page and edited not in page


def test_tree_editors_publish_and_roll_back_in_the_admin(carm_tree, client):
    """The publish page lists what the draft changes; the history and a release's page compare releases."""
    editors, editor = staff_client(client, "Tree editors")
    reword(carm_tree, "Which error code?")
    publish = reverse("admin:triage_tree_publish", args=[carm_tree.pk])
    page = editors.get(publish).content.decode()
    assert "<del>" in page and "<ins>" in page and "Which" in page
    assert editors.post(publish, {"note": ""}).status_code == 200
    assert editors.post(publish, {"note": "Shorter", "languages_checked": "on"}).status_code == 302
    history = editors.get(reverse("admin:triage_tree_releases", args=[carm_tree.pk])).content.decode()
    assert "Shorter" in history and editor.username in history
    release = editors.get(reverse("admin:triage_tree_release", args=[carm_tree.pk, 2])).content.decode()
    assert "Differences from release 1" in release and "<ins>" in release
    rolled = editors.post(reverse("admin:triage_tree_roll_back", args=[carm_tree.pk, 1]))
    assert rolled.status_code == 302
    carm_tree.refresh_from_db()
    assert carm_tree.current_release.number == 3 and carm_tree.current_release.restores.number == 1


def test_a_text_changed_in_one_language_only_is_listed_and_checked_before_publishing(carm_tree, client):
    from django.core.management import call_command

    editors, _editor = staff_client(client, "Tree editors")
    question = reword(carm_tree, "Which error code?")
    publish = reverse("admin:triage_tree_publish", args=[carm_tree.pk])
    page = editors.get(publish).content.decode()
    assert "Changed in one language only" in page
    assert escape("Which error code?, question: French not updated since the English changed") in page
    refused = editors.post(publish, {"note": "Shorter"})
    assert refused.status_code == 200 and "then tick the box" in refused.content.decode()
    from io import StringIO

    out = StringIO()
    call_command("validate_trees", stdout=out)
    assert "! Which error code?, question: French not updated since the English changed" in out.getvalue()
    # Both languages changed: nothing to check.
    question.text_fr = "Quel code d'erreur?"
    question.save()
    page = editors.get(publish).content.decode()
    assert "Changed in one language only" not in page
    assert editors.post(publish, {"note": "Shorter"}).status_code == 302


def test_case_reviewers_cannot_publish(carm_tree, client):
    """Case reviewers neither publish nor roll back; the release stays."""
    reviewers, _user = staff_client(client, "Case reviewers")
    assert reviewers.post(reverse("admin:triage_tree_publish", args=[carm_tree.pk]), {"note": "x"}).status_code == 403
    roll_back = reverse("admin:triage_tree_roll_back", args=[carm_tree.pk, 1])
    assert reviewers.post(roll_back).status_code == 403
    assert carm_tree.releases.count() == 1


def test_public_steps_cost_the_same_queries_on_a_new_release(carm_tree, client, django_assert_max_num_queries):
    """Once a release's graph is in memory, a step reads one row; a new release is read once, then the same."""
    page = "/en/help/carm/questions/importer/yes/yes/error-code/"
    client.get(page)
    with django_assert_max_num_queries(2):
        client.get(page)
    reword(carm_tree, "Which error code?")
    tree_publish(carm_tree, note="Reworded")
    assert "Which error code?" in client.get(page).content.decode()
    with django_assert_max_num_queries(2):
        client.get(page)


def test_the_draft_can_be_made_an_earlier_release(carm_tree, client):
    """After a rollback, staff make the draft equal to the restored release, so the next publish keeps it."""
    editors, _user = staff_client(client, "Tree editors")
    first = carm_tree.current_release
    reword(carm_tree, "Which error code?")
    tree_publish(carm_tree, note="Reworded")
    tree_roll_back(first)
    url = reverse("admin:triage_tree_to_draft", args=[carm_tree.pk, 1])
    assert editors.get(url).status_code == 302 and Node.objects.filter(text_en="Which error code?").exists()
    response = editors.post(url)
    assert response.status_code == 302
    assert Node.objects.filter(text_en=QUESTION).exists() and not Node.objects.filter(text_en="Which error code?")
    carm_tree.refresh_from_db()
    assert carm_tree.current_release.number == 3  # nothing published


def test_export_tree_writes_a_release(carm_tree):
    """export_tree --release N writes that release, not the draft."""
    import io

    from django.core.management import call_command

    reword(carm_tree, "Which error code?")
    out = io.StringIO()
    call_command("export_tree", "carm", "--release", "1", stdout=out)
    assert QUESTION in out.getvalue() and "Which error code?" not in out.getvalue()
