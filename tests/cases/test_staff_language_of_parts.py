"""On the staff pages of a case, what the client read and wrote, and each message, is marked with its own
language (WCAG 3.1.2), whatever the staff member's: the request in the case's, each message in its own."""

import re

import pytest
from django.urls import reverse

from cases.conversation.services import case_follow_up, case_reply
from cases.services import case_add_note
from cases.tokens import issue_token

PATH = [
    {"question": "Veuillez vous identifier", "answer": "Importateur"},
    {"question": "Êtes-vous une entreprise non résidente?", "answer": "Oui"},
]
OUTCOME = "Code d'erreur EC-1012"
DESCRIPTION = "Le portail affiche EC-1012 quand j'inscris mon entreprise."


@pytest.fixture
def french_case(make_case, admin_user):
    """A case filed from the French pages, with a French reply, an English follow-up and a staff note."""
    case = make_case(language="fr", preferred_language="fr", path=PATH, outcome_title=OUTCOME, description=DESCRIPTION)
    case_reply(case, author=admin_user, body="Essayez **de nouveau**.", status="waiting")
    case_follow_up(case, body="Still the same error, sorry.", language="en")
    case_add_note(case, author=admin_user, text="Called the client.")
    return case


def thread_bodies(page):
    """{entry kind: the lang attribute of its body (None without one)} of the conversation on a page."""
    found = {}
    for entry in page.split('<li class="case-thread-entry case-thread-')[1:]:
        kind = entry.split('"', 1)[0]
        body = re.search(r'<div class="case-thread-body"(?: lang="(\w+)")?>', entry.split("</li>", 1)[0])
        found[kind] = body[1] if body else "(not shown)"
    return found


@pytest.mark.parametrize("staff_language", ["en", "fr"])
def test_case_page_marks_the_request_and_each_message_with_its_language(french_case, admin_client, staff_language):
    response = admin_client.get(
        reverse("admin:cases_case_change", args=[french_case.pk]), headers={"accept-language": staff_language}
    )
    page = response.content.decode()
    assert f'<html lang="{staff_language}"' in page
    assert '<span lang="fr">Code d&#x27;erreur EC-1012</span>' in page
    answers = re.search(r'<dl lang="(\w+)">(.*?)</dl>', page, re.S)
    assert answers[1] == "fr" and "Veuillez vous identifier" in answers[2] and "Importateur" in answers[2]
    assert re.search(r'<div lang="fr">Le portail affiche EC-1012 quand j&#x27;inscris', page)
    # The request is shown above the conversation (its body is not repeated there).
    assert thread_bodies(page) == {"request": "(not shown)", "reply": "fr", "follow_up": "en", "note": None}


@pytest.mark.parametrize("staff_language", ["en", "fr"])
def test_reply_page_marks_the_conversation_the_preview_and_the_reply_box(french_case, admin_client, staff_language):
    url = reverse("admin:cases_case_reply", args=[french_case.pk])
    headers = {"accept-language": staff_language}
    page = admin_client.post(
        url,
        {"body": "Voici la **marche** à suivre.", "status": "waiting", "action": "preview", "token": issue_token()},
        headers=headers,
    ).content.decode()
    assert f'<html lang="{staff_language}"' in page
    assert thread_bodies(page) == {"request": "fr", "reply": "fr", "follow_up": "en", "note": None}
    assert re.search(r'<div class="case-thread-body" lang="fr"><p>Voici la <strong>marche</strong>', page)
    assert re.search(r'<textarea [^>]*lang="fr"', page)
