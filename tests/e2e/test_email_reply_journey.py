"""A client answers by email, in real browsers and real mail servers, in English and in French: the
request filed on the contact page, the acknowledgment read from the SMTP server, the client's reply
(quoting it, with a PDF) delivered into Dovecot and fetched; staff see only what the client newly wrote,
download the PDF and answer, and the answer reaches the client with its tagged Reply-To."""

import re
import time
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cases.inbound.addresses import reply_address
from cases.models import Case, CaseEvent, InboundEmail, Message
from helpdesk.models import Topic
from tests.cases.pdfs import CLEAN as PDF  # a small well-formed PDF, without scripts
from tests.e2e.test_conversation_journey import plain_text
from tests.e2e.test_journeys import sign_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT = "ann@example.org"
INBOUND = "support@support.example.ca"

# What each language's client, mail program and pages say.
LANGUAGES = {
    "en": {
        "locale": "en-CA",
        "description": "EC-1012 appears when I register my business.",
        "received": "Request received",
        "acknowledged": "We received your request",
        "answer_prefix": "RE: ",
        "wrote": "On Wed, Dec 2, 2026 at 9:15 AM CARM Client Support Helpdesk <{sender}> wrote:",
        "new_text": "Here is the statement you asked for, as a PDF. The error still appears this morning.",
        "pdf": "statement.pdf",
        "staff_answer": "Thank you, the statement shows the account is active. Please try again now.",
        "reply_queued": "Your reply was saved on the case and its email to the client is queued.",
    },
    "fr": {
        "locale": "fr-CA",
        "description": "Le code EC-1012 s’affiche quand j’inscris mon entreprise.",
        "received": "Demande reçue",
        "acknowledged": "Nous avons reçu votre demande",
        "answer_prefix": "RE\u00a0: ",  # French Outlook's "RE : ", with French spacing
        "wrote": "Le mer. 2 déc. 2026, à 09 h 15, Centre de soutien de la GCRA <{sender}> a écrit\u00a0:",
        "new_text": "Voici le relevé demandé, en PDF. L’erreur s’affiche encore ce matin.",
        "pdf": "relevé.pdf",
        "staff_answer": "Merci, le relevé montre que le compte est actif. Veuillez réessayer maintenant.",
        "reply_queued": "Votre réponse a été enregistrée dans la demande, et le courriel destiné au client a été mis",
    },
}


def emails_to(smtp, address, count, timeout=10):
    """The first `count` emails the SMTP server received for `address`, parsed, waiting a little for them
    (staff notices go to the same server)."""
    deadline = time.monotonic() + timeout
    while True:
        parsed = [message_from_string(raw, policy=policy.default) for raw in smtp.inbox.messages]
        found = [message for message in parsed if message["To"] == address]
        if len(found) >= count or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    assert len(found) >= count, f"{len(found)} email(s) to {address}, {count} expected"
    return found[:count]


def reply_by_email(acknowledgment, words):
    """The client's answer to `acknowledgment` as a mail program writes it: "RE: " and the subject, the
    thread headers, to the Reply-To address, their new text on top, the acknowledgment quoted below it
    under an "On … wrote:" line, and a PDF attached."""
    reply = EmailMessage()
    reply["From"] = f"Ann Smith <{CLIENT}>"
    reply["To"] = acknowledgment["Reply-To"]
    reply["Subject"] = words["answer_prefix"] + str(acknowledgment["Subject"])
    reply["Date"] = format_datetime(timezone.now())
    reply["Message-ID"] = make_msgid(domain="example.org")
    reply["In-Reply-To"] = acknowledgment["Message-ID"]
    reply["References"] = acknowledgment["Message-ID"]
    quoted = "\n".join(f"> {line}".rstrip() for line in plain_text(acknowledgment).splitlines())
    wrote = words["wrote"].format(sender=acknowledgment["From"].addresses[0].addr_spec)
    reply.set_content(f"{words['new_text']}\n\n{wrote}\n{quoted}\n")
    reply.add_attachment(PDF, maintype="application", subtype="pdf", filename=words["pdf"])
    return bytes(reply)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_client_answers_by_email_and_staff_reply(language, site, new_page, smtp, imap_server, settings, live_server):
    """Filed on the contact page; the emailed reply, with its quote and PDF, fetched from the mailbox, is
    shown to staff as only the new text with the PDF; staff answer, and the answer reaches the client."""
    words = LANGUAGES[language]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    settings.INBOUND_EMAIL_ADDRESS = INBOUND
    settings.INBOUND_IMAP = imap_server.settings()
    topic = Topic.objects.get(slug="portal-access")
    reviewer = staff("reviewer", "Case reviewers")

    # 1. The client files a request from the contact page in their language.
    page = new_page(words["locale"])
    page.goto(site + {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}[language])
    page.locator(f"input[name=topic][value='{topic.pk}']").check()
    page.locator("input[name=full_name]").fill("Ann Smith")
    page.locator("input[name=email]").fill(CLIENT)
    page.locator("textarea[name=description]").fill(words["description"])
    page.locator("input[name=consent]").check()
    page.locator("form button[type=submit]").last.click()
    expect(page.locator("h1")).to_have_text(words["received"])
    reference = page.locator(".reference").inner_text()
    case = Case.objects.get()
    assert reference == case.display_reference and case.preferred_language == language

    # 2. The acknowledgment, in their language, answers to an address tagged with the case.
    (acknowledgment,) = emails_to(smtp, CLIENT, 1)
    assert acknowledgment["Subject"].startswith(words["acknowledged"]) and reference in acknowledgment["Subject"]
    tag = acknowledgment["Reply-To"]
    assert tag == reply_address(case)
    assert re.fullmatch(rf"support\+{case.reference.lower()}-[0-9a-f]{{16}}@support\.example\.ca", tag)

    # 3. The client answers from their mail program; the mailbox is fetched.
    imap_server.deliver(reply_by_email(acknowledgment, words))
    output = StringIO()
    call_command("fetch_email", stdout=output)
    assert "Emails kept: 1, rejected: 0, left in the inbox: 0" in output.getvalue()
    assert imap_server.folder("INBOX") == [] and len(imap_server.folder("Processed")) == 1
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.matched_by, inbound.case) == (
        InboundEmail.Status.POSTED,
        InboundEmail.Match.TAG,
        case,
    )

    # 4. Staff see only what the client newly wrote, and download the PDF.
    staff_page = new_page(words["locale"])
    sign_in(staff_page, site, "reviewer")
    staff_page.goto(f"{site}/admin/cases/case/{case.pk}/change/")
    follow_up = staff_page.locator(".case-conversation .case-thread-follow_up")
    expect(follow_up).to_have_count(1)
    expect(follow_up.locator(".case-thread-body")).to_have_text(words["new_text"])
    quoted_line = next(line for line in plain_text(acknowledgment).splitlines() if reference in line)
    expect(follow_up).not_to_contain_text(quoted_line.strip())
    expect(follow_up).not_to_contain_text(words["wrote"].split(" <")[0])
    with staff_page.expect_download() as download:
        follow_up.get_by_role("link", name=words["pdf"]).click()
    assert download.value.suggested_filename == words["pdf"]
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    # 5. Staff answer through the reply form; the answer reaches the client, tagged for their reply.
    staff_page.locator("form.case-reply textarea[name=body]").fill(words["staff_answer"])
    staff_page.locator("form.case-reply button[value=send]").click()
    expect(staff_page.locator(".messagelist")).to_contain_text(words["reply_queued"])
    _acknowledgment, answer = emails_to(smtp, CLIENT, 2)
    assert reference in answer["Subject"] and words["staff_answer"] in plain_text(answer)
    assert answer["Reply-To"] == tag

    case.refresh_from_db()
    message = case.messages.get(kind=Message.Kind.FOLLOW_UP)
    assert message.body == words["new_text"] and message.language == language
    assert [attachment.name for attachment in message.attachments.all()] == [words["pdf"]]
    assert case.messages.filter(body=words["staff_answer"]).exists()
    assert case.status == Case.Status.WAITING_ON_CLIENT
    downloads = case.events.filter(code=CaseEvent.Code.ATTACHMENT_DOWNLOADED)
    assert [(event.actor, event.params["name"]) for event in downloads] == [(reviewer, words["pdf"])]
