"""A client's email taken in: matched by the reply address's tag, by the thread, or by the reference in the
subject from the case's address; posted as their follow-up with only what they newly wrote and the files
that pass the checks; held when from another address; kept as unmatched; automatic replies ignored; each
message taken once, however often it comes."""

import io
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from cases.inbound.addresses import reply_address
from cases.inbound.services import case_accept_held, case_attach_unmatched, receive_message
from cases.models import Case, CaseEvent, InboundEmail, Message, OutboundEmail
from cases.services import case_change, cases_anonymise_closed
from tests.cases.pdfs import CLEAN as PDF

Status = InboundEmail.Status
QUOTED = (
    "On Tue, Dec 1, 2026 at 9:00 AM CARM Client Support <carm-support@localhost> wrote:\n"
    "> Hello,\n"
    "> We received your request.\n"
)


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@support.example.ca"


def reply(case, *, text="Here is the statement you asked for.", sender="ann@example.org", to=None, **headers):
    """A client's reply to an email about `case`, as bytes: their text above the quoted email."""
    message = EmailMessage()
    message["From"] = f"Ann Smith <{sender}>"
    message["To"] = to if to is not None else reply_address(case)
    message["Subject"] = headers.pop("subject", f"Re: We received your request {case.display_reference}")
    message["Message-ID"] = headers.pop("message_id", make_msgid(domain="example.org"))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(f"{text}\n\n{QUOTED}")
    return message


def raw(message):
    return bytes(message)


def test_a_reply_to_the_tagged_address_is_the_clients_follow_up_without_the_quote(make_case):
    case = make_case()
    outcome = receive_message(raw(reply(case)))
    assert outcome.kept and outcome.reason == Status.POSTED
    inbound = InboundEmail.objects.get()
    follow_up = case.messages.get(kind=Message.Kind.FOLLOW_UP)
    assert follow_up.body == "Here is the statement you asked for."
    assert (inbound.case, inbound.message, inbound.matched_by) == (case, follow_up, InboundEmail.Match.TAG)
    assert inbound.raw and b"We received your request" in inbound.raw.read()
    assert case.events.filter(code=CaseEvent.Code.FOLLOW_UP_RECEIVED).exists()


def test_a_message_seen_twice_is_taken_once(make_case):
    case = make_case()
    message = raw(reply(case))
    assert receive_message(message).reason == Status.POSTED
    assert receive_message(message) == receive_message(message)
    assert receive_message(message).reason == "duplicate"
    assert case.messages.filter(kind=Message.Kind.FOLLOW_UP).count() == 1 and InboundEmail.objects.count() == 1


def test_a_message_without_message_id_is_known_by_its_content(make_case):
    case = make_case()
    message = reply(case)
    del message["Message-ID"]
    receive_message(raw(message))
    assert receive_message(raw(message)).reason == "duplicate"


def test_a_reply_to_one_of_our_emails_is_matched_by_its_thread(make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    acknowledgment = OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    assert acknowledgment.internet_message_id
    message = reply(case, to="support@support.example.ca", In_Reply_To=acknowledgment.internet_message_id)
    assert receive_message(raw(message)).reason == Status.POSTED
    assert InboundEmail.objects.get().matched_by == InboundEmail.Match.THREAD


def test_the_reference_in_the_subject_counts_only_from_the_cases_address(make_case):
    case = make_case()
    mine = reply(case, to="support@support.example.ca", subject=f"About {case.display_reference}")
    assert receive_message(raw(mine)).reason == Status.POSTED
    assert InboundEmail.objects.get().matched_by == InboundEmail.Match.SUBJECT
    other = reply(case, to="support@support.example.ca", sender="mallory@example.net")
    assert receive_message(raw(other)).reason == Status.UNMATCHED


def test_a_revoked_tag_matches_nothing(make_case, reviewer):
    from cases.conversation.services import case_revoke_links

    case = make_case()
    message = reply(case, subject="Hello")
    case_revoke_links(case, actor=reviewer)
    assert receive_message(raw(message)).reason == Status.UNMATCHED


def test_from_another_address_it_is_held_until_staff_accept_it(make_case, reviewer):
    case = make_case()
    receive_message(raw(reply(case, sender="assistant@example.org")))
    held = InboundEmail.objects.get()
    assert held.status == Status.HELD and held.case == case and held.sender == "assistant@example.org"
    assert not case.messages.filter(kind=Message.Kind.FOLLOW_UP).exists()
    assert case_accept_held(held, actor=reviewer)
    held.refresh_from_db()
    assert held.status == Status.ACCEPTED and held.message.body == "Here is the statement you asked for."
    assert not case_accept_held(held, actor=reviewer)  # once


def test_staff_attach_an_unmatched_message_to_a_case(make_case, reviewer):
    case = make_case()
    receive_message(raw(reply(case, to="support@support.example.ca", subject="My request")))
    unmatched = InboundEmail.objects.get(status=Status.UNMATCHED)
    assert unmatched.case is None
    assert case_attach_unmatched(unmatched, case, actor=reviewer)
    unmatched.refresh_from_db()
    assert unmatched.status == Status.ACCEPTED and unmatched.matched_by == InboundEmail.Match.STAFF
    assert unmatched.message.case == case


@pytest.mark.parametrize(
    "header",
    [
        {"Auto_Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X_Autoreply": "yes"},
        {"List_Id": "<announce.example.org>"},
    ],
)
def test_automatic_replies_are_recorded_and_nothing_more(make_case, header):
    case = make_case()
    assert receive_message(raw(reply(case, text="I am out of the office.", **header))).reason == Status.AUTOMATIC
    inbound = InboundEmail.objects.get()
    assert inbound.status == Status.AUTOMATIC and not inbound.raw and inbound.case is None
    assert not case.messages.filter(kind=Message.Kind.FOLLOW_UP).exists()


def test_files_are_checked_as_the_web_forms_and_refused_ones_listed(make_case):
    case = make_case()
    message = reply(case)
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="relevé.pdf")
    message.add_attachment(b"MZ\x90\x00binary", maintype="application", subtype="octet-stream", filename="run.exe")
    assert receive_message(raw(message)).reason == Status.POSTED
    follow_up = case.messages.get(kind=Message.Kind.FOLLOW_UP)
    assert [attachment.name for attachment in follow_up.attachments.all()] == ["relevé.pdf"]
    (refused,) = InboundEmail.objects.get().refused_files
    assert refused["name"] == "run.exe"
    assert "is not a PNG, JPEG, PDF, plain text or CSV file" in refused["reason"]["en"]
    assert "n’est pas" in refused["reason"]["fr"] or "n'est pas" in refused["reason"]["fr"]


def test_a_reply_to_a_closed_case_files_a_follow_on_case(make_case, reviewer):
    case = make_case()
    case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
    case_change(case, actor=reviewer, status=Case.Status.CLOSED)
    receive_message(raw(reply(case)))
    inbound = InboundEmail.objects.get()
    assert inbound.status == Status.POSTED and inbound.case.follows == case and inbound.message is None


def test_anonymisation_removes_the_raw_message_and_the_sender(make_case, reviewer, clock):
    case = make_case()
    receive_message(raw(reply(case)))
    stored = InboundEmail.objects.get()
    storage, name = stored.raw.storage, stored.raw.name
    case_change(case, actor=reviewer, status=Case.Status.RESOLVED)
    case_change(case, actor=reviewer, status=Case.Status.CLOSED)
    from datetime import timedelta

    clock.to(clock.now + timedelta(days=800))
    assert cases_anonymise_closed(older_than_days=730) == 1
    stored.refresh_from_db()
    assert (stored.raw.name, stored.sender, stored.subject) == ("", "", "") and not storage.exists(name)


def test_the_pipe_command_says_what_the_mail_server_should_do(make_case, monkeypatch, settings, capsys):
    case = make_case()
    message = raw(reply(case))
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(message)))
    call_command("receive_email")
    assert "Message taken: posted" in capsys.readouterr().out
    settings.INBOUND_EMAIL_MAX_BYTES = 100
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(message)))
    with pytest.raises(SystemExit) as refused:
        call_command("receive_email")
    assert refused.value.code == 65
    settings.INBOUND_EMAIL_MAX_BYTES = 10**6

    def away(_raw, too_large=False):
        raise DatabaseError("gone")

    monkeypatch.setattr("cases.management.commands.receive_email.receive_message", away)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(message)))
    with pytest.raises(SystemExit) as later:
        call_command("receive_email")
    assert later.value.code == 75


def test_a_message_too_large_is_recorded_from_its_headers_and_refused(make_case):
    case = make_case()
    headers = raw(reply(case)).partition(b"\n\n")[0] + b"\n\n"
    outcome = receive_message(headers, too_large=True)
    assert not outcome.kept and outcome.reason == Status.TOO_LARGE
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.case, inbound.raw.name) == (Status.TOO_LARGE, case, "")
    assert not case.messages.filter(kind=Message.Kind.FOLLOW_UP).exists()


def test_fetched_from_a_real_mailbox_a_reply_is_posted_once(make_case, imap_server, settings, monkeypatch):
    """Through Dovecot: the reply is posted and moved to Processed; a run that posted it but crashed
    before moving it posts nothing twice when it runs again."""
    settings.INBOUND_IMAP = imap_server.settings()
    case = make_case()
    imap_server.deliver(raw(reply(case)))
    call_command("fetch_email")
    assert case.messages.filter(kind=Message.Kind.FOLLOW_UP).count() == 1
    assert len(imap_server.folder("Processed")) == 1 and imap_server.folder("INBOX") == []
    imap_server.deliver(raw(reply(case)).replace(b"Message-ID: <", b"Message-ID: <again-"))
    imap_server.deliver(imap_server.folder("Processed")[0])  # the same message, as if never moved
    call_command("fetch_email")
    assert case.messages.filter(kind=Message.Kind.FOLLOW_UP).count() == 2  # the new one, not the old again
    assert len(imap_server.folder("Processed")) == 3 and imap_server.folder("INBOX") == []


def test_an_email_no_case_claimed_is_forgotten_after_the_retention_period(
    make_case, clock, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        receive_message(raw(reply(case, to="support@support.example.ca", subject="Hello")))
    unmatched = InboundEmail.objects.get()
    storage, name = unmatched.raw.storage, unmatched.raw.name
    answer = OutboundEmail.objects.get(inbound=unmatched)
    assert answer.address == "ann@example.org"
    clock.to(clock.now + timedelta(days=729))
    cases_anonymise_closed(older_than_days=730)
    assert InboundEmail.objects.get().sender == "ann@example.org"
    clock.to(clock.now + timedelta(days=2))
    cases_anonymise_closed(older_than_days=730)
    unmatched.refresh_from_db()
    answer.refresh_from_db()
    assert (unmatched.raw.name, unmatched.sender, unmatched.subject, answer.address) == ("", "", "", "")
    assert not storage.exists(name)
