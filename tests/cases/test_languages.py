"""Cases in the client's language: the page it was filed from, and the language asked for the reply."""

import io
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation
from django.utils.translation import gettext

from cases.conversation.services import case_follow_up, case_reply
from cases.models import Case, CaseEvent
from cases.tokens import conversation_token
from helpdesk.calendar import HELPDESK_TZ
from tests.conftest import localized

EC_1012 = "importer/yes/yes/error-code/ec-1012/"
FORM = {
    "full_name": "Anne Tremblay",
    "email": "anne@example.org",
    "description": "Le portail affiche EC-1012.",
    "consent": "on",
}
# The contact form's address and its confirmation's in each language.
CONTACT = {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}
RECEIVED = {"en": "/en/contact/received/", "fr": "/fr/nous-joindre/demande-recue/"}
MONDAY_10AM = datetime(2026, 11, 23, 10, 0, tzinfo=HELPDESK_TZ)
FRENCH_TARGET = "le mercredi 25 novembre 2026 à 19\u00a0h (heure de l'Est)"
ENGLISH_TARGET = "by 7 p.m. Eastern time on Wednesday, November 25, 2026"


def file_case(client, language, reply_language, monkeypatch, now=MONDAY_10AM):
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    url = f"{CONTACT[language]}?tree=carm&answers={EC_1012}"
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode())[1]
    with TestCase.captureOnCommitCallbacks(execute=True):  # the acknowledgment goes as the case is filed
        response = client.post(url, {**FORM, "token": token, "preferred_language": reply_language})
    assert response.status_code == 302 and response["Location"] == RECEIVED[language]
    return Case.objects.get()


def test_filed_in_french_confirmed_in_french(carm_tree, client, monkeypatch):
    """The French form files a French case: confirmation, path snapshot and target read in French."""
    case = file_case(client, "fr", "fr", monkeypatch)
    assert (case.language, case.preferred_language) == ("fr", "fr")
    assert case.outcome_title == "Code d'erreur EC-1012"
    assert case.path[0] == {"question": "Indiquez votre profil", "answer": "Importateur"}
    response = client.get("/fr/nous-joindre/demande-recue/")
    page = response.content.decode()
    assert FRENCH_TARGET in page and case.display_reference in re.sub(r"<[^>]+>", "", page)
    assert "no-store" in response["Cache-Control"]
    # The same confirmation, toggled to English, reads in English.
    assert ENGLISH_TARGET in client.get("/en/contact/received/").content.decode()


def test_email_is_in_the_reply_language_dates_included(carm_tree, client, monkeypatch):
    """Asked for a French reply from the English form: subject, body and date all in French."""
    case = file_case(client, "en", "fr", monkeypatch)
    assert (case.language, case.preferred_language) == ("en", "fr")
    (message,) = mail.outbox
    with translation.override("fr"):
        assert message.subject == gettext("We received your request %(reference)s") % {
            "reference": case.display_reference
        }
        assert gettext("The CARM Client Support Helpdesk received your request.") in message.body
    assert message.subject != f"We received your request {case.display_reference}"
    assert FRENCH_TARGET in message.body
    assert "Wednesday" not in message.body and "Eastern time" not in message.body
    assert case.display_reference in message.body
    assert message.from_email == "Soutien de la GCRA <carm-support@localhost>"
    assert "Soutien de la GCRA" in str(message.message()["From"])


def test_a_target_on_the_first_of_a_month_reads_1er_in_french(carm_tree, client, monkeypatch):
    """Filed on a Friday, due on Tuesday 1 December: « 1er » on the confirmation and in the email."""
    file_case(client, "fr", "fr", monkeypatch, now=MONDAY_10AM + timedelta(days=4))
    first = "le mardi 1er décembre 2026 à 19\u00a0h (heure de l'Est)"
    (message,) = mail.outbox
    assert first in message.body
    assert first in client.get("/fr/nous-joindre/demande-recue/").content.decode()
    assert "December 1, 2026" in client.get("/en/contact/received/").content.decode()


def test_email_in_english_from_the_french_form(carm_tree, client, monkeypatch):
    file_case(client, "fr", "en", monkeypatch)
    (message,) = mail.outbox
    assert ENGLISH_TARGET in message.body and "mercredi" not in message.body
    assert message.from_email == "CARM Client Support <carm-support@localhost>"


def test_pending_acknowledgment_is_sent_later_in_the_reply_language(carm_tree, client, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    sends = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    case = file_case(client, "en", "fr", monkeypatch)
    assert case.acknowledged_at is None
    monkeypatch.setattr(EmailBackend, "send_messages", sends)
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_10AM + timedelta(minutes=2))
    call_command("send_queued_emails", "--now", stdout=io.StringIO())
    (message,) = mail.outbox
    assert FRENCH_TARGET in message.body


def test_status_page_in_french(carm_tree, client, monkeypatch):
    case = file_case(client, "en", "en", monkeypatch)
    response = client.post(
        "/fr/etat-demande/", {"reference": case.display_reference, "email": "anne@example.org"}, follow=True
    )
    page = response.content.decode()
    assert '<html lang="fr">' in page and "mercredi 25 novembre 2026" in page and "lundi 23 novembre 2026" in page
    assert "Accès au portail client de la GCRA" in page


def test_audit_trail_is_read_in_each_staff_members_language(make_case, admin_user):
    """Events are codes with parameters; each reader sees them in their own language."""
    from cases.services import case_change

    case = make_case()
    case_change(case, actor=admin_user, status=Case.Status.IN_PROGRESS)
    received, changed = case.events.all()  # its acknowledgment still queued
    assert received.code == CaseEvent.Code.RECEIVED and changed.params == {"old": "new", "new": "in_progress"}
    with translation.override("en"):
        assert changed.description == "Status changed from New to In progress"
    with translation.override("fr"):
        french = changed.description
        assert french == gettext("Status changed from %(old)s to %(new)s") % {
            "old": gettext("New"),
            "new": gettext("In progress"),
        }
        assert received.description == gettext("Received through the contact form")
    assert french != "Status changed from New to In progress"


def test_case_list_shows_and_filters_the_language(make_case, admin_client):
    make_case(language="fr")
    make_case()
    page = admin_client.get("/admin/cases/case/", {"language__exact": "fr"}).content.decode()
    assert '<td class="field-language">French</td>' in page
    assert '<td class="field-language">English</td>' not in page


class MessageBodies(HTMLParser):
    """The conversation page's message bodies: [(lang, text)], in the page's order."""

    def __init__(self):
        super().__init__()
        self.bodies, self.depth = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("br", "hr", "img"):
            return
        if self.depth:
            self.depth += 1
        elif tag == "div" and "message-body" in (attrs.get("class") or "").split():
            self.depth = 1
            self.bodies.append((attrs.get("lang"), ""))

    def handle_endtag(self, tag):
        self.depth = max(self.depth - 1, 0)

    def handle_data(self, data):
        if self.depth:
            lang, text = self.bodies[-1]
            self.bodies[-1] = (lang, text + data)


@pytest.mark.parametrize("page_language", ["en", "fr"])
def test_each_message_is_marked_with_its_language(client, make_case, admin_user, page_language):
    """On the client's conversation page, in either language, the request is marked with the language it
    was written in and each message with its own (WCAG 3.1.2): a screen reader reads each in its language."""
    case = make_case(language="fr", preferred_language="en", description="Le portail affiche EC-1012.")
    case_reply(case, author=admin_user, body="Sign in again.", status=Case.Status.WAITING_ON_CLIENT)
    case_follow_up(case, body="Toujours la même erreur.", language="fr")
    path = localized(page_language, f"/conversation/open/{conversation_token(case)}/")
    client.post(path)
    page = client.get(localized(page_language, "/conversation/")).content.decode()
    assert f'<html lang="{page_language}">' in page
    parser = MessageBodies()
    parser.feed(page)
    assert [(lang, text.strip()) for lang, text in parser.bodies] == [
        ("fr", "Le portail affiche EC-1012."),
        ("en", "Sign in again."),
        ("fr", "Toujours la même erreur."),
    ]
