"""A worker that dies mid-send: its email is queued again and sent once if the mail server surely has not
got it, or marked sent, unconfirmed, if it was handed over; its running task is finished; live senders
are left alone."""

import io
import os
import subprocess
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cases.models import CaseEvent, OutboundEmail
from cases.outbox import orphans, senders
from cases.outbox import queue as outbox
from cases.tasks import deliver_email
from tests.cases.test_email_delivery import run_worker

Status = OutboundEmail.Status


def dead_pid() -> int:
    """The pid of a process that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def dead_sender() -> str:
    return f"{senders.host()}:{dead_pid()}:0badc0de"


def being_sent(email, sender, began=None, handed_over_at=None, attempts=1):
    """The email as its sender's claim (and, with `handed_over_at`, its hand-over) left it."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING,
        sender=sender,
        attempts=attempts,
        next_attempt_at=began or timezone.now(),
        handed_over_at=handed_over_at,
    )
    email.refresh_from_db()
    return email


def test_a_dead_sender_on_this_host_that_had_not_handed_over_its_email_is_replaced_and_it_goes_once(make_case):
    """Queued again at once, the lost attempt not counted, and sent once; recovering again does nothing."""
    email = being_sent(make_case().emails.get(), dead_sender())
    assert orphans.recover_orphans() == 1
    email.refresh_from_db()
    assert len(mail.outbox) == 1 and (email.status, email.attempts) == (Status.SENT, 1)
    assert email.sender == senders.me() and email.handed_over_at is None  # locmem hands nothing over
    assert orphans.recover_orphans() == 0 and len(mail.outbox) == 1


def test_a_dead_sender_that_had_handed_over_its_email_leaves_it_sent_unconfirmed(make_case, clock):
    """The server may have it: sent, unconfirmed, as of the hand-over, on the case's audit trail, and the
    acknowledgment counts as sent; it is not sent again by itself, but staff may send it again."""
    case = make_case()
    handed_over = clock.now - timedelta(seconds=3)
    email = being_sent(case.emails.get(), dead_sender(), began=handed_over, handed_over_at=handed_over)
    assert orphans.recover_orphans() == 1
    email.refresh_from_db()
    assert (email.status, email.sent_at, email.attempts) == (Status.UNCONFIRMED, handed_over, 1)
    assert email.last_error.startswith("SenderGone")
    case.refresh_from_db()
    assert case.acknowledged_at == handed_over and case.acknowledgment_error == ""
    event = case.events.get(code=CaseEvent.Code.EMAIL_UNCONFIRMED)
    assert event.params == {"kind": "acknowledgment", "attempt": 1, "error": "SenderGone"}
    assert event.description == (
        "Email sent, unconfirmed: acknowledgment, attempt 1 "
        "(the worker sending it stopped while it gave the email to the mail server)"
    )
    clock.to(clock.now + timedelta(days=1))
    assert orphans.recover_orphans() == 0 and outbox.requeue_stale() == 0 and not mail.outbox
    assert outbox.retry(email)


@pytest.mark.parametrize("whose", ["parent", "this process"])
def test_a_live_sender_on_this_host_is_left_alone(make_case, whose):
    sender = f"{senders.host()}:{os.getppid()}:0badc0de" if whose == "parent" else senders.me()
    email = being_sent(make_case().emails.get(), sender)
    assert orphans.recover_orphans() == 0
    email.refresh_from_db()
    assert email.status == Status.SENDING and not mail.outbox


def test_an_earlier_process_with_this_pid_is_gone(make_case):
    """A container restarted: its new worker has the pid of the one killed, not its token."""
    being_sent(make_case().emails.get(), f"{senders.host()}:{os.getpid()}:0badc0de")
    assert orphans.recover_orphans() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize("sender", ["other-host.example:4242:0badc0de", ""])
def test_a_sender_on_another_host_is_gone_only_after_the_limit(make_case, clock, sender):
    """Its pid means nothing here: recovered once its attempt began longer ago than any live attempt
    takes. An unknown sender (claimed before senders were recorded) may have handed over unmarked."""
    email = being_sent(make_case().emails.get(), sender)
    clock.to(clock.now + senders.SENDER_GONE_AFTER - timedelta(seconds=1))
    assert orphans.recover_orphans() == 0
    clock.to(clock.now + timedelta(seconds=2))
    assert orphans.recover_orphans() == 1
    email.refresh_from_db()
    if sender:
        assert email.status == Status.SENT and len(mail.outbox) == 1
    else:
        assert email.status == Status.UNCONFIRMED and not mail.outbox


@pytest.mark.parametrize("handed_over", [False, True])
def test_two_recoveries_at_once_recover_once(make_case, handed_over):
    """A second worker read the same row before the first recovered it: its update finds nothing to do."""
    at = timezone.now() if handed_over else None
    email = being_sent(make_case().emails.get(), dead_sender(), handed_over_at=at)
    read_by_the_second = (email.pk, email.sender, email.next_attempt_at, email.handed_over_at, timezone.now())
    assert orphans.recover_orphans() == 1
    assert orphans._recover(*read_by_the_second) == 0
    email.refresh_from_db()
    assert email.status == (Status.UNCONFIRMED if handed_over else Status.SENT)
    assert len(mail.outbox) == (0 if handed_over else 1)
    assert email.case.events.filter(code=CaseEvent.Code.EMAIL_UNCONFIRMED).count() == (1 if handed_over else 0)


def test_a_sender_taken_for_gone_gives_its_attempt_up_before_the_content(make_case, smtp, monkeypatch):
    """The email was recovered (and claimed by another) while its sender was still talking to the server:
    at the hand-over it stops, the server gets nothing, and nothing is recorded over the other's attempt."""
    email = make_case().emails.get()
    hand_over = senders.hand_over

    def recovered_meanwhile(email_id):
        OutboundEmail.objects.filter(pk=email_id).update(sender="other-host.example:1:0badc0de")
        hand_over(email_id)

    monkeypatch.setattr(senders, "hand_over", recovered_meanwhile)
    assert outbox.deliver(email.pk) == "skipped"
    email.refresh_from_db()
    assert (email.status, email.sender, email.handed_over_at) == (Status.SENDING, "other-host.example:1:0badc0de", None)
    assert smtp.inbox.messages == [] and not email.case.events.exclude(code=CaseEvent.Code.RECEIVED).exists()


def test_the_hand_over_is_marked_before_the_content_goes(make_case, smtp, monkeypatch):
    """Marked once the server said 354, when it has nothing yet; never when the attempt fails before its data."""
    email = make_case().emails.get()
    hand_over, seen = senders.hand_over, []

    def watched(email_id):
        hand_over(email_id)
        seen.append((len(smtp.inbox.messages), OutboundEmail.objects.get(pk=email_id).handed_over_at is not None))

    monkeypatch.setattr(senders, "hand_over", watched)
    smtp.inbox.refuse_recipients = True
    assert outbox.deliver(email.pk) == Status.QUEUED
    email.refresh_from_db()
    assert (seen, email.handed_over_at, email.sender) == ([], None, senders.me())
    smtp.inbox.refuse_recipients = False
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert outbox.deliver(email.pk) == Status.SENT
    email.refresh_from_db()
    assert seen == [(0, True)] and len(smtp.inbox.messages) == 1 and email.handed_over_at is not None


@pytest.fixture
def task_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded")
def test_the_dead_workers_task_is_finished_and_the_email_goes_once(make_case, task_queue):
    """The task the dead worker was running stays RUNNING no more; the email's new task sends it once."""
    email = make_case().emails.get()
    dead = dead_sender()
    began = timezone.now()
    DBTaskResult.objects.filter(args_kwargs__args__0=email.pk).update(
        status="RUNNING", started_at=began - timedelta(seconds=1), worker_ids=[dead]
    )
    being_sent(email, dead, began=began)
    out = io.StringIO()
    call_command("send_queued_emails", stdout=out)
    assert "1 email(s) left being sent by a stopped worker recovered." in out.getvalue()
    lost = DBTaskResult.objects.get(status="FAILED")
    assert lost.finished_at is not None and lost.exception_class_path == "cases.outbox.senders.SenderGone"
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    email.refresh_from_db()
    assert len(mail.outbox) == 1 and email.status == Status.SENT
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("seeded")
def test_a_running_task_of_a_worker_gone_after_its_email_is_finished(make_case, task_queue, clock):
    """Killed after the email was sent but before its task was marked done: the task is finished, the email
    left as it is; a task of another host's worker only after the limit."""
    email = make_case().emails.get()
    run_worker()
    assert len(mail.outbox) == 1
    task = DBTaskResult.objects.get()
    for worker, finished in [("other-host.example:7:0badc0de", False), (dead_sender(), True)]:
        DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", started_at=clock.now, worker_ids=[worker])
        assert orphans.recover_orphans() == 0
        assert DBTaskResult.objects.get().status == ("FAILED" if finished else "RUNNING")
    DBTaskResult.objects.filter(pk=task.pk).update(status="RUNNING", worker_ids=["other-host.example:7:0badc0de"])
    clock.to(clock.now + senders.SENDER_GONE_AFTER + timedelta(seconds=1))
    assert orphans.finish_lost_tasks() == 1 and DBTaskResult.objects.get().status == "FAILED"
    email.refresh_from_db()
    assert email.status == Status.SENT and len(mail.outbox) == 1 and deliver_email.module_path == task.task_path


def test_the_task_worker_recovers_every_few_seconds_and_rides_out_an_error(monkeypatch):
    """Its watch recovers each round; a round that fails (the database away) waits for the next."""
    from django.db import OperationalError

    from cases.management.commands import task_worker

    rounds, stopped = [], threading.Event()

    def recover(now=None, own=None):
        rounds.append(now)
        if len(rounds) == 1:
            raise OperationalError("the database system is shutting down")
        stopped.set()
        return 0

    monkeypatch.setattr(task_worker, "RECOVER_EVERY", 0.01)
    monkeypatch.setattr(orphans, "recover_orphans", recover)
    worker = task_worker.ResilientWorker.__new__(task_worker.ResilientWorker)
    watch = threading.Thread(target=worker._watch_senders, args=(stopped,))
    watch.start()
    watch.join(5)
    assert not watch.is_alive() and len(rounds) == 2


def test_the_task_workers_are_named_as_senders(task_queue):
    """So that a worker on the same host tells when another is gone, and finishes its running tasks."""
    from cases.management.commands.task_worker import Command

    options = Command().create_parser("manage.py", "task_worker").parse_args([])
    assert options.worker_id == senders.me() and not senders.is_gone(options.worker_id, timezone.now())
    assert len(options.worker_id) <= 64


def test_after_an_outage_a_worker_recovers_what_it_left_itself(make_case, task_queue):
    """The database went away between a worker's claim and its outcome: once back, that worker (alive, and
    running nothing now) queues its email again and finishes its task; another live worker's are left."""
    mine, theirs = make_case().emails.get(), make_case(email="other@example.org").emails.get()
    live_other = f"{senders.host()}:{os.getppid()}:0badc0de"
    began = timezone.now()
    for email, worker in ((mine, senders.me()), (theirs, live_other)):
        DBTaskResult.objects.filter(args_kwargs__args__0=email.pk).delete()
        outbox.enqueue(email.pk)
        DBTaskResult.objects.filter(args_kwargs__args__0=email.pk).update(
            status="RUNNING", started_at=began - timedelta(seconds=1), worker_ids=[worker]
        )
        being_sent(email, worker, began=began)
    assert orphans.recover_orphans() == 0  # this process is alive: nothing of its own is taken without `own`
    assert orphans.recover_orphans(own=senders.me()) == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.QUEUED and theirs.status == Status.SENDING
    tasks = sorted((task.args_kwargs["args"][0], task.status) for task in DBTaskResult.objects.all())
    assert tasks == sorted([(mine.pk, "FAILED"), (mine.pk, "READY"), (theirs.pk, "RUNNING")])
