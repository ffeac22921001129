"""Only a link emailed to the case's address opens its conversation: opening it takes a POST, in a
new session; the status lookup shows the status alone; a fresh link is asked for with the same
answer whether or not the request exists."""

import contextlib
import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.attachments.files import check_files, store_attachments
from cases.conversation.services import case_reply, case_revoke_links
from cases.models import Case, CaseEvent, Message, OutboundEmail
from cases.services import case_change, cases_anonymise_closed
from cases.tokens import conversation_token
from tests.conftest import localized

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LINK = "/en/conversation/link/"
SENT = "If we have a request with this reference number and email address, we are sending a link"
SENT_FR = "Si nous avons une demande"


@pytest.fixture
def sent(django_capture_on_commit_callbacks, settings):
    """Emails queued in a block are sent when it ends, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def answered_case(make_case, admin_user, private_attachments):
    """A case with a staff reply and a file from the client: what a stranger must never see."""
    case = make_case()
    (checked,) = check_files([SimpleUploadedFile("s.png", PNG)])
    store_attachments(case, [checked])
    case_reply(case, author=admin_user, body="Your secret reply text.", status=Case.Status.WAITING_ON_CLIENT)
    mail.outbox.clear()
    return case


def link_of(email):
    return re.search(r"https?://[^/\s]+(/\S+/conversation/open/[^/\s]+/)", email.body)[1]


def open_by_link(client, path):
    """What a client does with an emailed link: load it, then press its button."""
    page = client.get(path)
    assert page.status_code == 200
    return client.post(path)


def shows_the_conversation(client, case):
    """Whether this browser can read, download from or answer the case's conversation."""
    page = client.get("/en/conversation/")
    attachment = case.attachments.get()
    download = client.get(reverse("cases:conversation_file", args=[attachment.pk]))
    posted = client.post("/en/conversation/", {"body": "A follow-up"})
    readable = page.status_code == 200 and "Your secret reply text." in page.content.decode()
    answered = case.messages.filter(kind=Message.Kind.FOLLOW_UP).exists()
    return readable or download.status_code == 200 or posted.status_code == 302 or answered


# Opening a link


def test_loading_a_link_binds_nothing(client, answered_case):
    """A mail scanner, or another site's image, that loads the link opens no conversation."""
    path = f"/en/conversation/open/{conversation_token(answered_case)}/"
    page = client.get(path)
    text = page.content.decode()
    assert page.status_code == 200 and "Open your conversation" in text
    assert f'<form method="post" action="{path}">' in text
    assert page["Referrer-Policy"] == "strict-origin" and "no-store" in page["Cache-Control"]
    assert not shows_the_conversation(client, answered_case)


def test_pressing_the_button_opens_it_in_a_new_session(client, answered_case):
    """The POST binds the case and renews the session, so a planted session cookie inherits nothing."""
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies["sessionid"] = planted.session_key
    path = f"/en/conversation/open/{conversation_token(answered_case)}/"
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/en/conversation/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.cookies["sessionid"].value != planted.session_key
    assert "conversation" not in SessionStore(session_key=planted.session_key).load()
    assert client.get("/en/conversation/").status_code == 200


def test_another_site_cannot_switch_an_open_conversation(answered_case, make_case):
    """Opening takes the page's CSRF token: a cross-site POST of the attacker's own link binds nothing."""
    browser = Client(enforce_csrf_checks=True)
    path = f"/en/conversation/open/{conversation_token(answered_case)}/"
    page = browser.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    assert browser.post(path, {"csrfmiddlewaretoken": token}).status_code == 302
    attackers = make_case(email="mallory@example.org", description="Mallory's own case")
    forged = browser.post(f"/en/conversation/open/{conversation_token(attackers)}/")
    assert forged.status_code == 403
    page = browser.get("/en/conversation/").content.decode()
    assert "Your secret reply text." in page and "Mallory's own case" not in page


def test_an_open_page_closes_when_its_link_expires(client, answered_case, settings):
    """The session keeps the conversation no longer than the link that opened it works."""
    open_by_link(client, f"/en/conversation/open/{conversation_token(answered_case)}/")
    assert client.get("/en/conversation/").status_code == 200
    later = timezone.now() + timedelta(days=settings.CONVERSATION_LINK_DAYS, minutes=1)
    with mock.patch("cases.conversation.views.timezone.now", return_value=later):
        assert client.get("/en/conversation/").status_code == 403


# The status lookup


def test_the_status_lookup_shows_the_status_only(client, answered_case):
    """Reference and address show the status in the client's words, never a message, a file or a reply box."""
    client.post("/en/status/", {"reference": answered_case.display_reference, "email": answered_case.email})
    page = client.get("/en/status/request/").content.decode()
    assert "Waiting for your answer" in page and "Email me a link to the conversation" in page
    for hidden in ("Your secret reply text.", "s.png", 'name="body"', 'type="file"', "/conversation/files/"):
        assert hidden not in page
    assert not shows_the_conversation(client, answered_case)


@pytest.mark.parametrize("change", ["revoked", "expired", "anonymised"])
def test_after_revoke_expiry_or_anonymisation_only_a_new_link_opens_it(client, answered_case, change, sent, settings):
    """The old link, the status lookup and an open page all fail; only a freshly emailed link works."""
    old_link = f"/en/conversation/open/{conversation_token(answered_case)}/"
    open_by_link(client, old_link)
    with contextlib.ExitStack() as later:
        if change == "revoked":
            case_revoke_links(answered_case, actor=None)
        elif change == "expired":
            days = timedelta(days=settings.CONVERSATION_LINK_DAYS, minutes=1)
            later.enter_context(
                mock.patch("django.core.signing.time.time", return_value=time.time() + days.total_seconds())
            )
            later.enter_context(mock.patch("cases.conversation.views.timezone.now", return_value=timezone.now() + days))
        else:
            case_change(answered_case, actor=None, status=Case.Status.RESOLVED)
            case_change(answered_case, actor=None, status=Case.Status.CLOSED)
            cases_anonymise_closed(older_than_days=0, now=timezone.now() + timedelta(seconds=1))
        assert client.get(old_link).status_code == 404 and client.post(old_link).status_code == 404
        client.post("/en/status/", {"reference": answered_case.display_reference, "email": "ann@example.org"})
        assert client.get("/en/conversation/").status_code == 403
        with sent():
            response = client.post(LINK, {"reference": answered_case.display_reference, "email": "ann@example.org"})
        assert response["Location"] == "/en/conversation/link/sent/"
        if change == "anonymised":
            assert not mail.outbox  # never for an anonymised case
            return
        (email,) = mail.outbox
        fresh = Client()
        assert open_by_link(fresh, link_of(email)).status_code == 302
        assert "Your secret reply text." in fresh.get("/en/conversation/").content.decode()


# Asking for a link


@pytest.mark.parametrize(
    "reference, email",
    [("{ref}", "ann@example.org"), ("{ref}", "someone@example.org"), ("{unknown}", "ann@example.org"), ("x", "a@b.ca")],
)
def test_every_request_for_a_link_gets_the_same_answer(client, make_case, reference, email, sent):
    """Found or not, the answer is the same page; only the right pair sends an email, to the case's address."""
    from cases.intake.references import new_reference

    case = make_case()
    mail.outbox.clear()
    with sent():
        response = client.post(
            LINK, {"reference": reference.format(ref=case.reference, unknown=new_reference()), "email": email}
        )
    assert response.status_code == 302 and response["Location"] == "/en/conversation/link/sent/"
    page = client.get(response["Location"]).content.decode()
    assert SENT in page and case.display_reference not in page
    if (reference, email) == ("{ref}", "ann@example.org"):
        (message,) = mail.outbox
        assert message.to == [case.email] and case.display_reference in message.subject
        assert case.events.filter(code=CaseEvent.Code.LINK_REQUESTED).exists()
    else:
        assert not mail.outbox


def test_the_link_email_and_page_in_french(client, make_case, sent):
    case = make_case(preferred_language="fr")
    mail.outbox.clear()
    with sent():
        response = client.post("/fr/conversation/lien/", {"reference": case.display_reference, "email": case.email})
    assert response["Location"] == "/fr/conversation/lien/envoye/"
    assert SENT_FR in client.get(response["Location"]).content.decode()
    (email,) = mail.outbox
    assert "Votre lien" in email.subject and "/fr/conversation/ouvrir/" in email.body
    assert "Bonjour" in email.body and "Hello" not in email.body
    html = email.alternatives[0].content
    assert 'lang="fr"' in html and "/fr/conversation/ouvrir/" in html


def test_the_status_page_asks_for_the_link_in_one_click(client, make_case, sent):
    case = make_case()
    client.post("/en/status/", {"reference": case.display_reference, "email": "ANN@example.org"})
    mail.outbox.clear()
    with sent():
        response = client.post(LINK, {"found": "1"})
    assert response["Location"] == "/en/conversation/link/sent/"
    (email,) = mail.outbox
    assert email.to == ["ann@example.org"] and "/en/conversation/open/" in email.body
    mail.outbox.clear()
    with sent():
        Client().post(LINK, {"found": "1"})  # a browser that found nothing asks for nothing
    assert not mail.outbox


def test_links_to_one_mailbox_are_capped_a_day(client, make_case, sent, settings):
    """However the address is spelt, a mailbox gets CONVERSATION_LINKS_PER_ADDRESS_PER_DAY links; the answer stays."""
    settings.RATELIMIT_ENABLE = False
    case = make_case()
    mail.outbox.clear()
    for spelling in ("ann@example.org", "ANN@example.org", "ann@EXAMPLE.org", "ann@example.org"):
        with sent():
            response = client.post(LINK, {"reference": case.reference, "email": spelling})
        assert response["Location"] == "/en/conversation/link/sent/"
    assert len(mail.outbox) == settings.CONVERSATION_LINKS_PER_ADDRESS_PER_DAY == 3
    assert case.events.filter(code=CaseEvent.Code.LINK_WITHHELD).count() == 1
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CONVERSATION_LINK).count() == 3


def test_requests_for_links_are_limited_per_network_address(client, make_case, settings):
    """Past RATE_LIMIT_CONVERSATION_LINK the form comes back with 429 and what was typed."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "conversation_link": "2/h"}
    case = make_case()
    for _ in range(2):
        client.post(LINK, {"reference": "CS-000-000-000", "email": "someone@example.org"})
    response = client.post(LINK, {"reference": case.display_reference, "email": "typed@example.org"})
    text = response.content.decode()
    assert response.status_code == 429 and "typed@example.org" in text and case.display_reference in text
    assert not OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CONVERSATION_LINK).exists()


def test_the_form_explains_its_errors(client, db):
    response = client.post(LINK, {"reference": "", "email": "not an address"})
    text = response.content.decode()
    assert response.status_code == 200 and "Enter your reference number." in text and "<title>Error:" in text


# The emails


def test_emails_no_longer_say_the_reference_and_address_open_the_conversation(make_case, admin_user, sent):
    """The acknowledgment and replies send readers to ask for a new link; the status page is for the status."""
    with sent():
        case = make_case()
        case_reply(case, author=admin_user, body="Done.", status=Case.Status.WAITING_ON_CLIENT)
    acknowledgment, reply = mail.outbox
    for email in (acknowledgment, reply):
        text = " ".join((email.body + email.alternatives[0].content).split())
        assert "/en/conversation/link/" in text and "ask for a new link" in text
    text = " ".join((reply.body + reply.alternatives[0].content).split())
    assert "reference number and this email address" not in text and "/en/status/" not in text
    text = " ".join(acknowledgment.body.split())
    assert "To see where your request stands, use the reference number and this email address" in text


@pytest.mark.parametrize("language, status", [("en", "Waiting for your answer"), ("fr", "En attente de votre réponse")])
def test_the_conversation_page_shows_the_status_in_the_clients_words(client, answered_case, language, status):
    """Staff read "Waiting on client"; the client reads that we wait for their answer, in their language."""
    open_by_link(client, localized(language, f"/conversation/open/{conversation_token(answered_case)}/"))
    page = client.get(f"/{language}/conversation/").content.decode()
    assert f"<dd>{status}</dd>" in page
    assert "Waiting on client" not in page and "En attente du client" not in page
