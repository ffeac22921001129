"""The outbox: emails queued with their cause, sent once by the task worker, retried, and written
in the client's language without quoting them."""

import io
import logging
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks_db.models import DBTaskResult

from cases.models import Case, CaseEvent, Message, OutboundEmail
from cases.outbox import queue as outbox
from cases.outbox.emails import reply_message
from cases.tasks import deliver_email
from cases.tokens import conversation_case
from tests.cases.test_email_delivery import run_worker

Status = OutboundEmail.Status
Kind = OutboundEmail.Kind


def transactional(test):
    """A test whose transactions commit, as the worker's do; the seeded topics and groups put back."""
    return pytest.mark.usefixtures("seeded")(pytest.mark.django_db(transaction=True)(test))


REFUSING = {"default": {"BACKEND": "tests.cases.test_outbox.RefusingBackend"}}
LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down, and says so naming the recipient, as some do."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(f"mail server down for {messages[0].to[0]}")


@pytest.fixture
def task_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def reply(case, body):
    """A staff reply and its email, queued in one transaction as the reply service does."""
    with transaction.atomic():
        message = Message.objects.create(
            case=case, kind=Message.Kind.REPLY, language=case.preferred_language, body=body
        )
        return outbox.queue_email(case, Kind.REPLY, message=message)


def codes(case):
    return list(case.events.values_list("code", flat=True))


# Queued with the cause, sent after it commits


@transactional
def test_an_email_is_queued_in_the_transaction_of_its_cause(make_case, task_queue):
    """A case filed in a transaction that rolls back leaves no email and no task; one that commits
    saves its email's task with it (the queue is a table of the same database), and nothing is sent
    until a worker runs it."""

    def file_then_fail():
        with transaction.atomic():
            make_case()
            assert OutboundEmail.objects.count() == 1
            raise RuntimeError("the cause failed")

    with pytest.raises(RuntimeError):
        file_then_fail()
    assert not Case.objects.exists() and not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()
    with transaction.atomic():
        case = make_case()
        assert DBTaskResult.objects.count() == 1
    email = case.emails.get()
    assert (email.kind, email.status, email.attempts) == (Kind.ACKNOWLEDGMENT, Status.QUEUED, 0)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert not mail.outbox


@transactional
def test_with_the_immediate_backend_it_is_sent_as_the_transaction_commits(make_case):
    with transaction.atomic():
        case = make_case()
        assert not mail.outbox
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"] and case.display_reference in message.subject
    case.refresh_from_db()
    assert case.acknowledged_at is not None and case.emails.get().status == Status.SENT


@transactional
def test_emails_wait_for_the_worker_then_go_once_each(make_case, task_queue):
    """No worker: the emails wait, queued. The worker sends each once, even one whose task was
    enqueued twice, and running it again sends nothing more."""
    first, second = make_case(), make_case(email="bob@example.org")
    assert not mail.outbox
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {Status.QUEUED}
    email = first.emails.get()
    deliver_email.enqueue(email.pk)  # the same email's task a second time
    assert DBTaskResult.objects.count() == 3
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.org", "bob@example.org"]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    run_worker()
    assert outbox.deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 2
    for case in (first, second):
        sent = case.emails.get()
        assert (sent.status, sent.attempts) == (Status.SENT, 1) and sent.sent_at is not None
        assert codes(case).count(CaseEvent.Code.ACKNOWLEDGED) == 1


@transactional
def test_the_worker_tries_a_failed_email_again_after_its_wait(make_case, task_queue, settings, monkeypatch):
    settings.MAILERS = REFUSING
    case = make_case()
    run_worker()
    email = case.emails.get()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    waiting = DBTaskResult.objects.get(status="READY")  # the next attempt, deferred
    assert waiting.run_after == email.next_attempt_at
    settings.MAILERS = LOCMEM
    run_worker()
    assert not mail.outbox  # not due yet
    later = email.next_attempt_at + timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    run_worker()
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)


# Failures


def test_failures_wait_longer_each_time_then_the_email_is_marked_failed(
    make_case, settings, clock, django_capture_on_commit_callbacks
):
    settings.MAILERS = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    email = case.emails.get()
    for attempt in range(1, settings.EMAIL_MAX_ATTEMPTS):
        email.refresh_from_db()
        assert (email.status, email.attempts) == (Status.QUEUED, attempt)
        assert email.next_attempt_at == clock.now + timedelta(minutes=2 ** (attempt - 1))
        assert email.last_error == "ConnectionRefusedError: mail server down for (recipient)"
        assert outbox.deliver(email.pk) == "skipped"  # not due yet
        clock.to(email.next_attempt_at)
        outbox.deliver(email.pk)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, settings.EMAIL_MAX_ATTEMPTS)
    case.refresh_from_db()
    assert case.acknowledged_at is None and case.acknowledgment_error.startswith("ConnectionRefusedError")
    failures = case.events.filter(code=CaseEvent.Code.EMAIL_FAILED)
    assert [event.params for event in failures] == [
        {"kind": "acknowledgment", "attempt": attempt, "error": "ConnectionRefusedError"}
        for attempt in range(1, settings.EMAIL_MAX_ATTEMPTS + 1)
    ]
    assert failures.last().description == "Email not sent: acknowledgment, attempt 8 (ConnectionRefusedError)"
    assert codes(case).count(CaseEvent.Code.ACKNOWLEDGMENT_FAILED) == 1
    assert not mail.outbox
    # cron hears of it
    with pytest.raises(CommandError, match="1 email"):
        call_command("send_queued_emails", stdout=io.StringIO())


def test_success_after_a_failure_sends_once(make_case, settings, clock, django_capture_on_commit_callbacks):
    settings.MAILERS = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    settings.MAILERS = LOCMEM
    email = case.emails.get()
    clock.to(email.next_attempt_at)
    assert outbox.deliver(email.pk) == "sent"
    assert outbox.deliver(email.pk) == "skipped"
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    case.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert case.acknowledged_at == clock.now and case.acknowledgment_error == ""
    assert codes(case) == [
        CaseEvent.Code.RECEIVED,
        CaseEvent.Code.EMAIL_FAILED,
        CaseEvent.Code.ACKNOWLEDGED,
    ]


def test_staff_send_a_failed_email_again(make_case, settings, django_capture_on_commit_callbacks):
    settings.MAILERS, settings.EMAIL_MAX_ATTEMPTS = REFUSING, 1
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    email = case.emails.get()
    assert email.status == Status.FAILED
    settings.MAILERS = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry(email)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert not outbox.retry(email)  # sent: nothing to do
    assert len(mail.outbox) == 1
    case.refresh_from_db()
    assert case.acknowledged_at is not None and case.acknowledgment_error == ""


# Lost tasks and cron


@transactional
def test_a_lost_task_is_enqueued_again(make_case, task_queue, monkeypatch):
    """A crash between the commit and the enqueue loses the task: once the email is 5 minutes past
    due, send_queued_emails enqueues it again, once."""
    case = make_case()
    DBTaskResult.objects.all().delete()
    assert outbox.requeue_stale() == 0  # just due: its task may be on its way
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    out = io.StringIO()
    call_command("send_queued_emails", stdout=out)
    assert "1 email(s) whose task was lost enqueued again." in out.getvalue()
    assert outbox.requeue_stale() == 0  # its task waits for the worker now
    assert DBTaskResult.objects.count() == 1 and not mail.outbox
    run_worker()
    assert len(mail.outbox) == 1 and case.emails.get().status == Status.SENT


def test_send_queued_emails_now_sends_without_a_worker(make_case):
    make_case(), make_case(email="bob@example.org")  # queued, their tasks never ran
    out = io.StringIO()
    call_command("send_queued_emails", "--now", stdout=out)
    assert "2 email(s) sent, 0 to try again later, 0 failed for good, 0 cancelled." in out.getvalue()
    assert "0 email(s) queued, 0 failed in the last 24 hours." in out.getvalue()
    call_command("send_queued_emails", "--now", stdout=io.StringIO())
    assert len(mail.outbox) == 2


# Anonymised cases


def test_an_anonymised_case_gets_no_email(make_case):
    """Its queued emails are cancelled with the anonymisation; one whose case lost its data
    meanwhile is cancelled when its turn comes."""
    cancelled, blanked, other = make_case(), make_case(), make_case(email="bob@example.org")
    OutboundEmail.objects.filter(case=other).update(last_error="SMTPRecipientsRefused: bob@example.org")
    assert outbox.cancel_for_case([cancelled.pk, other.pk]) == 2
    assert cancelled.emails.get().status == Status.CANCELLED
    assert other.emails.get().last_error == ""
    Case.objects.filter(pk=blanked.pk).update(anonymised_at=timezone.now(), email="", full_name="")
    assert outbox.deliver(blanked.emails.get().pk) == "cancelled"
    assert outbox.deliver(cancelled.emails.get().pk) == "skipped"
    assert not mail.outbox
    assert not outbox.retry(blanked.emails.get())


# What is written


def test_the_acknowledgment_has_the_conversation_link_and_an_html_part(make_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="en">' in html
    url = re.search(r"http://127\.0\.0\.1:8000/en/conversation/open/\S+/", message.body)[0]
    assert f'href="{url}"' in html
    assert conversation_case(url.rstrip("/").rsplit("/", 1)[1], 90)[0] == case
    assert "The link works for 90 days. After that, ask for a new link" in message.body
    for part in (message.body, html):
        assert case.display_reference in part and "http://127.0.0.1:8000/en/status/" in part
        assert "http://127.0.0.1:8000/en/conversation/link/" in part
        assert "Ann Smith" not in part and "EC-1012 when registering" not in part
    assert "<script" not in html and "http" not in html.split("<body")[0]  # no script, nothing fetched


def test_the_reply_email_in_french(make_case, django_capture_on_commit_callbacks):
    """Text and HTML parts in the client's language; the Markdown as written in text, rendered
    without any raw HTML in HTML; the reference and the conversation link in both; none of the
    client's own words, and no staff name."""
    case = make_case(preferred_language="fr")
    body = (
        "Bonjour,\n\nVoici **la marche à suivre**. <script>alert(1)</script>\n\n"
        "[Cliquez](javascript:alert(1)) ou consultez le [portail](https://example.org/carm)."
    )
    with django_capture_on_commit_callbacks(execute=True):
        email = reply(case, body)
    (message,) = mail.outbox  # the reply only: the acknowledgment's task never ran
    email.refresh_from_db()
    assert email.status == Status.SENT and message.to == ["ann@example.org"]
    with translation.override("fr"):
        assert message.subject == gettext("We replied to your request %(reference)s") % {
            "reference": case.display_reference
        }
        assert gettext("CARM Client Support Helpdesk") in message.body
    assert body in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and '<html lang="fr">' in html
    assert "<strong>la marche à suivre</strong>" in html and '<a href="https://example.org/carm">portail</a>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert 'href="javascript' not in html
    url = re.search(r"http://127\.0\.0\.1:8000/fr/conversation/ouvrir/\S+/", message.body)[0]
    assert f'href="{url}"' in html and conversation_case(url.rstrip("/").rsplit("/", 1)[1], 90)[0] == case
    for part in (message.body, html):
        assert case.display_reference in part and "http://127.0.0.1:8000/fr/conversation/lien/" in part
        assert "Ann Smith" not in part and "EC-1012 when registering" not in part
    assert codes(case)[-1] == CaseEvent.Code.EMAIL_SENT


def test_a_reply_without_a_conversation_key_says_where_to_ask_for_a_link(make_case):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(conversation_key="")
    case.refresh_from_db()
    message = reply_message(case, Message(case=case, kind=Message.Kind.REPLY, body="Done."))
    assert "/conversation/open/" not in message.body
    assert (
        "ask for a link, which we email to this address:\nhttp://127.0.0.1:8000/en/conversation/link/" in message.body
    )


def test_the_confirmation_says_we_will_send_then_we_sent(carm_tree, client, django_capture_on_commit_callbacks):
    from tests.cases.test_contact import EC_1012, FORM, contact_url, form_token

    url = contact_url(EC_1012)
    client.post(url, {**FORM, "token": form_token(client, url)})  # queued, not sent yet
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We will send this reference number to ann@example.org." in page
    outbox.deliver_due()
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We sent this reference number to ann@example.org." in page


def test_the_daily_limit_counts_acknowledgments_still_queued(make_case, settings):
    """Acknowledgments waiting for the worker count against the address's daily number."""
    cases = [make_case(email="Ann@Example.org" if number == 2 else "ann@example.org") for number in range(4)]
    assert [case.acknowledgment_withheld for case in cases] == [False, False, False, True]
    assert OutboundEmail.objects.count() == 3


# Logs


def test_logs_hold_ids_and_error_classes_only(make_case, settings, clock, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    settings.MAILERS = REFUSING
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
        email = reply(case, "Your account number is 123456782RT0001.")
    settings.MAILERS = LOCMEM
    clock.to(clock.now + timedelta(minutes=1))
    outbox.deliver_due()
    assert len(mail.outbox) == 2
    log = caplog.text
    assert f"Email {email.pk} (reply, case {case.pk}) not sent, attempt 1 of 8" in log
    assert "ConnectionRefusedError" in log and f"Email {email.pk} (reply, case {case.pk}) sent" in log
    for private in ("ann@example.org", "Ann Smith", "123456782", "mail server down", case.description):
        assert private not in log
