"""The emails a stopped sender left being sent, and its deliver_email tasks left running, put right.

An email being sent whose sender is gone (cases.outbox.senders) is either
- not handed over (no `handed_over_at`): the mail server surely has not got it, as a connection
  cut before the final "." makes the server drop the message. It is queued again, due now, its
  attempt not counted, and its task enqueued: it goes once;
- handed over: the server may have it. It is marked sent, unconfirmed, as of the hand-over, and
  never sent again by itself; staff may send it again (cases.outbox.queue.retry).
Each is one conditional UPDATE (being sent, by that sender, handed over or not as read), so two
workers recovering at once recover it once, and a sender taken for gone that is still alive
cannot mark its hand-over afterwards (it gives the attempt up, see senders.hand_over).

The task rows of django-tasks-db that ran deliver_email for a gone worker and stay RUNNING are
marked FAILED, finished now, with SenderGone as their error.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from ..models import OutboundEmail
from . import attempts, senders
from .attempts import describe_error
from .queue import enqueue

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status


def recover_orphans(now=None, *, own=None) -> int:
    """Recover the emails whose sender is gone, and finish their workers' running tasks; return how many emails.

    With `own` (this process's worker id, when a database outage interrupted whatever it was doing and it
    now runs nothing), what this process left being sent and running is recovered too.
    """
    now = now or timezone.now()
    recovered = 0
    being_sent = OutboundEmail.objects.filter(status=Status.SENDING).values_list(
        "pk", "sender", "next_attempt_at", "handed_over_at"
    )
    for pk, sender, began, handed_over_at in being_sent:
        if (own and sender == senders.me()) or senders.is_gone(sender, began, now):
            recovered += _recover(pk, sender, began, handed_over_at, now)
    finish_lost_tasks(now, own=own)
    return recovered


def _recover(pk: int, sender: str, began, handed_over_at, now) -> int:
    """One email of a gone sender: queued again, or sent unconfirmed if it may have reached the server.

    A row of an unknown sender (claimed before senders were recorded) may have been handed over unmarked.
    """
    error = senders.SenderGone("the worker sending it stopped during the attempt")
    ours = OutboundEmail.objects.filter(pk=pk, status=Status.SENDING, sender=sender, handed_over_at=handed_over_at)
    if handed_over_at is None and sender:
        with transaction.atomic():
            # The attempt that never reached the server does not count against EMAIL_MAX_ATTEMPTS.
            if not ours.update(status=Status.QUEUED, next_attempt_at=now, attempts=Greatest(F("attempts") - 1, 0)):
                return 0  # another worker recovered it, or its sender marked the hand-over meanwhile
            _finish_tasks_of(pk, began, now)
        logger.warning("Email %s queued again: its sender stopped before handing it to the mail server", pk)
        enqueue(pk)
        return 1
    with transaction.atomic():
        if not ours.update(
            status=Status.UNCONFIRMED, sent_at=handed_over_at or began, last_error=describe_error(error)
        ):
            return 0
        email = OutboundEmail.objects.select_related("case").get(pk=pk)
        attempts.abandoned(email, error)
        _finish_tasks_of(pk, began, now)
    return 1


def _running_deliveries():
    from django_tasks_db.models import DBTaskResult

    from ..tasks import deliver_email

    return DBTaskResult.objects.filter(task_path=deliver_email.module_path, status="RUNNING")


def _finish(tasks, now) -> int:
    error = senders.SenderGone
    return tasks.update(
        status="FAILED",
        finished_at=now,
        return_value=None,
        exception_class_path=f"{error.__module__}.{error.__qualname__}",
        traceback="the worker running it stopped",
    )


def _finish_tasks_of(email_id: int, began, now) -> None:
    """The running tasks of this email that began before its orphaned attempt (the gone worker's)."""
    _finish(_running_deliveries().filter(args_kwargs__args__0=email_id, started_at__lte=began), now)


def finish_lost_tasks(now=None, *, own=None) -> int:
    """Mark FAILED the deliver_email tasks still running for a gone worker (its worker id a sender, as
    `manage.py task_worker` names its workers), or running for longer than SENDER_GONE_AFTER; and, with
    `own`, those that worker left running when an outage interrupted them."""
    now = now or timezone.now()
    finished = 0
    for pk, worker_ids, started_at in _running_deliveries().values_list("pk", "worker_ids", "started_at"):
        worker = worker_ids[-1] if worker_ids else ""
        if (own and worker == own) or senders.is_gone(worker, started_at, now):
            finished += _finish(_running_deliveries().filter(pk=pk), now)
    if finished:
        logger.warning("%s deliver_email task(s) of a stopped worker marked failed", finished)
    return finished
