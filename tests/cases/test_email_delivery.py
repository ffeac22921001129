"""Acknowledgments through the task queue and a real SMTP server that stops and comes back:
nothing lost, nothing twice."""

import io
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
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
    """`manage.py db_worker --batch`: run every task that is due, then stop."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", stdout=io.StringIO())
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
