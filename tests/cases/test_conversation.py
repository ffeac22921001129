"""A case's conversation: staff replies, client follow-ups, targets that follow it, and the client's link."""

import io
import logging
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from carmsupport.middleware import RedactLinksFilter
from cases.conversation.services import case_follow_up, case_record_response, case_reply, case_revoke_links
from cases.models import Case, CaseEvent, CaseNote, Message, OutboundEmail, overdue
from cases.services import CaseRuleError, case_change, cases_anonymise_closed
from cases.tokens import LINK_SIGNER, conversation_token, issue_token
from helpdesk.calendar import response_due
from tests.cases.test_contact import EC_1012, contact_url, send
from tests.conftest import localized, sign_in_staff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def sent(django_capture_on_commit_callbacks, settings):
    """Emails queued in a block are sent when it ends, as the worker would."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def link_in(body):
    return re.search(r"https?://\S+/conversation/open/[^/\s]+/", body)[0]


def test_reply_answers_the_request_and_is_emailed(make_case, reviewer, sent):
    """A reply is saved, records the first response by reply, stops the clock and is emailed once."""
    case = make_case()
    mail.outbox.clear()
    with sent():
        reply = case_reply(case, author=reviewer, body="Sign in **again**.", status=Case.Status.WAITING_ON_CLIENT)
    case.refresh_from_db()
    assert reply.kind == Message.Kind.REPLY and reply.language == "en"
    assert case.first_response_by == reviewer and case.first_response_channel == Case.Channel.REPLY
    assert case.reply_due_at is None and case.status == Case.Status.WAITING_ON_CLIENT
    assert not case.is_overdue
    assert len(mail.outbox) == 1 and case.display_reference in mail.outbox[0].subject
    assert OutboundEmail.objects.get(message=reply).status == OutboundEmail.Status.SENT
    assert list(case.events.values_list("code", flat=True)).count(CaseEvent.Code.REPLY_SENT) == 1


def test_reply_needs_a_body_and_an_allowed_status(make_case, reviewer):
    """An empty reply, or one leaving the case new, is refused with a reason and nothing saved."""
    case = make_case()
    with pytest.raises(CaseRuleError):
        case_reply(case, author=reviewer, body="  ", status=Case.Status.WAITING_ON_CLIENT)
    with pytest.raises(CaseRuleError):
        case_reply(case, author=reviewer, body="Hello", status=Case.Status.NEW)
    assert not case.messages.exists() and not OutboundEmail.objects.filter(kind="reply").exists()


def test_each_follow_up_has_its_own_target(make_case, reviewer):
    """A follow-up is due 2 business days after it arrived; the case is due at the earliest one unanswered."""
    case = make_case(received_at=datetime(2026, 11, 2, 14, tzinfo=UTC))  # a Monday
    case_reply(case, author=reviewer, body="What error code?", status=Case.Status.WAITING_ON_CLIENT)
    friday = datetime(2026, 11, 6, 15, tzinfo=UTC)
    first = case_follow_up(case, body="EC-1012", language="en", at=friday).message
    second = case_follow_up(case, body="Also EC-1013", language="en", at=friday + timedelta(days=3)).message
    case.refresh_from_db()
    assert first.due_at == response_due(friday, 2, set())
    assert case.reply_due_at == first.due_at < second.due_at
    assert case.status == Case.Status.IN_PROGRESS
    assert Case.objects.filter(overdue(first.due_at + timedelta(minutes=1)), pk=case.pk).exists()
    case_reply(case, author=reviewer, body="Fixed.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    assert case.reply_due_at is None
    assert not case.messages.filter(kind=Message.Kind.FOLLOW_UP, answered_at__isnull=True).exists()


def test_no_clock_while_waiting_on_the_client(make_case, reviewer):
    """Once staff reply and wait on the client, the case is never overdue, however long the wait."""
    case = make_case()
    case_reply(case, author=reviewer, body="Send a screenshot.", status=Case.Status.WAITING_ON_CLIENT)
    assert not Case.objects.filter(overdue(timezone.now() + timedelta(days=60)), pk=case.pk).exists()


def test_telephone_response_answers_what_waits(make_case, reviewer):
    """A response recorded as given by telephone records who and how, and answers the request."""
    case = make_case()
    assert case_record_response(case, actor=reviewer, channel=Case.Channel.TELEPHONE)
    case.refresh_from_db()
    assert case.first_response_channel == "telephone" and case.first_response_by == reviewer
    assert case.reply_due_at is None
    event = case.events.get(code=CaseEvent.Code.FIRST_RESPONSE)
    assert "Telephone" in event.description
    assert not case_record_response(case, actor=reviewer, channel=Case.Channel.TELEPHONE)


def test_follow_up_reopens_a_recently_resolved_case(make_case, reviewer):
    """Within 10 business days of its resolution, a follow-up reopens the case."""
    case = make_case()
    case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    result = case_follow_up(case, body="Still broken", language="en", at=case.resolved_at + timedelta(days=7))
    case.refresh_from_db()
    assert result.reopened and not result.new_case
    assert case.status == Case.Status.IN_PROGRESS and case.reply_due_at == result.message.due_at
    assert case.events.filter(code=CaseEvent.Code.REOPENED).exists()


def test_late_follow_up_files_a_linked_case(make_case, reviewer):
    """After 10 business days, a follow-up files a new case naming the old one, with its files."""
    case = make_case()
    case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    later = case.resolved_at + timedelta(days=20)
    result = case_follow_up(case, body="New problem", language="fr", at=later)
    case.refresh_from_db()
    assert result.new_case and result.case.follows == case
    assert result.case.description == "New problem" and result.case.language == "fr"
    assert result.case.email == case.email and result.case.reference != case.reference
    assert case.status == Case.Status.RESOLVED
    assert case.events.get(code=CaseEvent.Code.FOLLOWED_BY).params == {"reference": result.case.display_reference}


def test_late_follow_up_keeps_the_way_the_first_case_came(carm_tree, client, reviewer):
    """The new case has the old one's topic, class, help-tool answers, outcome and release."""
    send(client, contact_url(EC_1012))
    case = Case.objects.get()
    assert case.outcome_id is not None and case.release_id is not None and len(case.path) == 5
    case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    new = case_follow_up(case, body="Again", language="en", at=case.resolved_at + timedelta(days=20)).case
    kept = ["topic_id", "response_class", "path", "outcome_id", "outcome_title", "release_id"]
    assert [getattr(new, name) for name in kept] == [getattr(case, name) for name in kept]


# The client's side


def open_link(client, case, language="en"):
    """Load the emailed link and press its button, as a client does."""
    path = localized(language, f"/conversation/open/{conversation_token(case)}/")
    assert client.get(path).status_code == 200
    return client.post(path)


def test_link_opens_the_conversation_without_the_token_in_the_address(client, make_case, reviewer):
    """The email's link leads to a page with no secret in its address, which shows replies but no notes."""
    case = make_case()
    case_reply(case, author=reviewer, body="Try **this**. <script>alert(1)</script>", status="waiting")
    CaseNote.objects.create(case=case, text="Internal: client seems confused")
    response = open_link(client, case)
    assert response.status_code == 302 and response["Location"] == "/en/conversation/"
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get("/en/conversation/")
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "<strong>this</strong>" in text and "<script>alert" not in text
    assert "EC-1012 when registering." in text
    assert "Internal: client seems confused" not in text


@pytest.mark.parametrize("change", ["tampered", "expired", "revoked", "unknown", "anonymised"])
def test_bad_links_all_get_the_same_answer(client, make_case, reviewer, change, settings):
    """A tampered, expired, revoked, unknown or anonymised case's link gets one and the same page."""
    case = make_case()
    token = conversation_token(case)
    if change == "tampered":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "expired":
        settings.CONVERSATION_LINK_DAYS = 0
    elif change == "revoked":
        case_revoke_links(case, actor=reviewer)
    elif change == "unknown":
        token = LINK_SIGNER.sign("CS7KQ2M9X.0123456789abcdef")
    elif change == "anonymised":
        case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
        case_change(case, actor=reviewer, status=Case.Status.CLOSED)
        cases_anonymise_closed(older_than_days=0, now=timezone.now() + timedelta(seconds=1))
    for method in (client.get, client.post):
        response = method(f"/en/conversation/open/{token}/")
        assert response.status_code == 404
        assert "This link does not open a request" in response.content.decode()
    assert client.get("/en/conversation/").status_code == 403


def test_revoking_locks_an_open_page(client, make_case, reviewer):
    """A page opened by a link closes as soon as staff revoke the links."""
    case = make_case()
    open_link(client, case)
    assert client.get("/en/conversation/").status_code == 200
    case_revoke_links(case, actor=reviewer)
    assert client.get("/en/conversation/").status_code == 403


def test_status_lookup_does_not_open_the_conversation(client, make_case):
    """The reference and email address show the status only: the conversation stays closed."""
    case = make_case()
    client.post("/en/status/", {"reference": case.display_reference, "email": case.email})
    page = client.get("/en/conversation/")
    assert page.status_code == 403 and case.display_reference not in page.content.decode()


def test_client_follows_up_with_a_file(client, make_case, reviewer, sent):
    """A client's reply with a screenshot lands on the case; staff download it and it is recorded."""
    case = make_case()
    case_reply(case, author=reviewer, body="Send a screenshot.", status="waiting")
    open_link(client, case, "fr")
    screenshot = SimpleUploadedFile("écran.png", PNG, content_type="image/png")
    data = {"body": "Voici la capture.", "attachments": [screenshot], "token": issue_token()}
    response = client.post("/fr/conversation/", data)
    assert response.status_code == 302 and response["Location"] == "/fr/conversation/"
    message = case.messages.get(kind=Message.Kind.FOLLOW_UP)
    assert message.language == "fr" and message.body == "Voici la capture."
    attachment = message.attachments.get()
    assert attachment.name == "écran.png" and attachment.content_type == "image/png"
    page = client.get("/fr/conversation/").content.decode()
    assert "écran.png" in page
    download = client.get(reverse("cases:conversation_file", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    staff = sign_in_staff(client.__class__(), reviewer)
    url = reverse("admin:cases_case_file", args=[case.pk, attachment.pk])
    response = staff.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert case.events.filter(code=CaseEvent.Code.ATTACHMENT_DOWNLOADED, actor=reviewer).exists()


def test_files_are_not_served_to_strangers(client, make_case):
    """An attachment's address gives nothing to a browser that has not opened the case."""
    case = make_case()
    screenshot = SimpleUploadedFile("s.png", PNG)
    open_link(client, case)
    client.post("/en/conversation/", {"body": "Here", "attachments": [screenshot], "token": issue_token()})
    attachment = case.attachments.get()
    stranger = client.__class__()
    assert stranger.get(reverse("cases:conversation_file", args=[attachment.pk])).status_code == 404
    other = stranger.get(reverse("admin:cases_case_file", args=[case.pk, attachment.pk]))
    assert other.status_code == 302 and "/login/" in other["Location"]


def test_an_html_file_named_png_is_refused_and_the_message_kept(client, make_case):
    """A rejected file gets its message next to the field; the message typed is shown again."""
    case = make_case()
    open_link(client, case)
    fake = SimpleUploadedFile("shot.png", b"<!DOCTYPE html><script>alert(1)</script>", content_type="image/png")
    response = client.post("/en/conversation/", {"body": "My words", "attachments": [fake]})
    text = response.content.decode()
    assert response.status_code == 200 and "My words" in text
    assert "“shot.png”" in text and not case.messages.exists()


def test_the_token_never_reaches_the_logs(client, make_case):
    """Neither a good link nor a bad one leaves its secret in the site's log lines."""
    handler = next(h for h in logging.getLogger().handlers if isinstance(h.filters[-1], RedactLinksFilter))
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        case = make_case()
        token = conversation_token(case)
        open_link(client, case)
        client.get(f"/en/conversation/open/{token}x/")  # a bad link: "Not Found" is logged
        logging.getLogger("django.server").info('"GET /en/conversation/open/%s/ HTTP/1.1" 302 0', token)
    finally:
        handler.setStream(stream)
    lines = written.getvalue()
    assert token not in lines and lines.count("/conversation/open/[redacted]/") == 2


def test_anonymising_removes_messages_and_files(make_case, reviewer, private_attachments):
    """Anonymising a case blanks its messages, deletes its files and cancels what was not sent."""
    case = make_case()
    case_follow_up(case, body="My account 123", language="en", files=[])
    from cases.attachments.files import check_files

    (checked,) = check_files([SimpleUploadedFile("s.png", PNG)])
    from cases.attachments.files import store_attachments

    (attachment,) = store_attachments(case, [checked])
    assert any(private_attachments.rglob("*"))
    case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
    case_change(case, actor=reviewer, status=Case.Status.CLOSED)
    cases_anonymise_closed(older_than_days=0, now=timezone.now() + timedelta(seconds=1))
    case.refresh_from_db()
    assert case.conversation_key == "" and not case.attachments.exists()
    assert not [path for path in private_attachments.rglob("*") if path.is_file()]
    assert "123" not in case.messages.get().body
    assert not OutboundEmail.objects.filter(case=case, status=OutboundEmail.Status.QUEUED).exists()
