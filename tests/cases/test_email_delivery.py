"""Acknowledgments through the task queue and a real SMTP server that stops and comes back:
nothing lost, nothing twice; one that stalls after it had the email: at most one copy more."""

import email
import io
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseEvent, OutboundEmail
from tests.cases.test_contact import FORM, contact_url, form_token

# Real commits, so that emails are enqueued as in production; the data migrations' rows come back
# after each test.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.fixture
def task_queue(settings):
    """The production task backend: tasks wait in the database until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The rate limits' counters live in a table that flushing the database leaves as it is.
    caches["shared"].clear()


def run_worker():
    """`manage.py task_worker --batch`: run every task that is due, then stop."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("task_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=io.StringIO())
    finally:
        for number, handler in handlers.items():  # the worker sets its own
            signal.signal(number, handler)


def file_case(client, number):
    url = contact_url("importer/yes/yes/error-code/ec-1012/")
    data = {
        **FORM,
        "token": form_token(client, url),
        "full_name": f"Client {number}",
        "email": f"client{number}@example.org",
    }
    assert client.post(url, data).status_code == 302


def test_server_down_mid_run(carm_tree, client, smtp, task_queue, monkeypatch):
    """Cases filed while the server is down are kept and sent once it is back, each exactly once."""
    for number in range(3):
        file_case(client, number)
    assert not smtp.inbox.messages  # queued: nothing leaves before the worker runs
    run_worker()
    assert len(smtp.inbox.messages) == 3
    smtp.stop()
    for number in range(3, 5):
        file_case(client, number)
    run_worker()
    assert Case.objects.count() == 5
    waiting = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
    assert waiting.count() == 2
    assert all(email.attempts == 1 and email.last_error.startswith("ConnectionRefusedError") for email in waiting)
    assert CaseEvent.objects.filter(code=CaseEvent.Code.EMAIL_FAILED).count() == 2
    run_worker()  # the next attempts are not due yet
    assert all(email.attempts == 1 for email in waiting)
    smtp.start()
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker()
    run_worker()
    call_command("send_queued_emails", "--now", stdout=io.StringIO())
    assert len(smtp.inbox.messages) == 5
    sent = Counter(
        case.display_reference
        for case in Case.objects.all()
        for message in smtp.inbox.messages
        if case.display_reference in message
    )
    assert len(sent) == 5 and set(sent.values()) == {1}  # every case's reference in exactly one message
    assert not Case.objects.filter(acknowledged_at__isnull=True).exists()
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}


def message_ids(messages):
    return [email.message_from_string(message)["Message-ID"] for message in messages]


@pytest.mark.parametrize("after_data", ["stall", "hang up"])
def test_no_reply_after_the_data_gives_one_more_try_then_sent_unconfirmed(
    carm_tree, client, smtp, task_queue, monkeypatch, after_data
):
    """The mail server has the whole acknowledgment, then says nothing past the site's time-out,
    or hangs up: the client may have it. It is tried once more, with the same Message-ID, then
    marked sent, unconfirmed: never failed, never sent again by itself, and the client is never
    told that no email was sent."""
    if after_data == "stall":
        smtp.stall()
    else:
        smtp.inbox.after_data = "hang up"
    file_case(client, 1)
    run_worker()
    sent = OutboundEmail.objects.get()
    assert (sent.status, sent.attempts, len(smtp.inbox.messages)) == (OutboundEmail.Status.QUEUED, 1, 1)
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We will send this reference number to client1@example.org." in page
    later = timezone.now() + timedelta(minutes=2)  # the next attempt is due
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (OutboundEmail.Status.UNCONFIRMED, 2)
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We sent this reference number to client1@example.org." in page and "could not send" not in page
    much_later = later + timedelta(hours=12)
    monkeypatch.setattr("django.utils.timezone.now", lambda: much_later)
    run_worker()
    out = io.StringIO()
    call_command("send_queued_emails", "--now", stdout=out)  # exits without an error
    assert "0 failed in the last 24 hours. 1 sent unconfirmed in the last 24 hours." in (out.getvalue())
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (OutboundEmail.Status.UNCONFIRMED, 2)
    assert sent.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    assert message_ids(smtp.inbox.messages) == [sent.internet_message_id] * 2
    assert sent.internet_message_id.startswith("<") and sent.internet_message_id.endswith("@127.0.0.1>")
    case = Case.objects.get()
    assert case.acknowledged_at == sent.sent_at and case.acknowledgment_error == ""
    trail = case.events.exclude(code=CaseEvent.Code.RECEIVED)
    assert [(event.code, event.params) for event in trail] == [
        (CaseEvent.Code.EMAIL_UNCONFIRMED, {"kind": "acknowledgment", "attempt": attempt, "error": name})
        for attempt, name in [(1, "SMTPServerDisconnected"), (2, "SMTPServerDisconnected")]
    ]
    assert trail.last().description == (
        "Email sent, unconfirmed: acknowledgment, attempt 2 "
        "(SMTPServerDisconnected after the mail server had the whole email)"
    )


@pytest.mark.parametrize("refusal", ["recipient refused", "451 after the data"])
def test_a_refusal_is_a_sure_failure(carm_tree, client, smtp, task_queue, settings, monkeypatch, refusal):
    """A server that refuses the recipient, or answers the data with a refusal, did not take the
    email: it is retried as any failure, then marked failed, and the client is told."""
    settings.EMAIL_MAX_ATTEMPTS = 2
    if refusal == "recipient refused":
        smtp.inbox.refuse_recipients = True
    else:
        smtp.inbox.after_data = "451 Try again later"
    file_case(client, 1)
    run_worker()
    failed = OutboundEmail.objects.get()
    assert (failed.status, failed.attempts, failed.sent_at) == (OutboundEmail.Status.QUEUED, 1, None)
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.sent_at) == (OutboundEmail.Status.FAILED, 2, None)
    error = "SMTPRecipientsRefused" if refusal == "recipient refused" else "SMTPDataError"
    assert failed.last_error.startswith(error)
    assert len(smtp.inbox.messages) == (0 if refusal == "recipient refused" else 2)
    case = Case.objects.get()
    assert list(case.events.filter(code=CaseEvent.Code.EMAIL_FAILED).values_list("params__error", flat=True)) == [
        error,
        error,
    ]
    assert not case.events.filter(code=CaseEvent.Code.EMAIL_UNCONFIRMED).exists()
    assert (
        "We could not send an email to client1@example.org."
        in client.get(reverse("cases:confirmation")).content.decode()
    )
