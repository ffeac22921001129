"""The outbox: emails to clients (and staff's warnings about cases, cases.warnings), queued with what
caused them and sent by the task worker, once each.

An email is a row of OutboundEmail, written in the same transaction as its cause (a filed case,
a staff reply), with the `deliver_email` task that carries the row's id: in that transaction too
when the task queue is in the same database (django-tasks-db), else once it commits. If it rolls
back, there is neither row nor task. The worker claims the row with a
conditional UPDATE (queued and due → being sent, by this process: cases.outbox.senders), so an
email whose task runs twice, or on two workers at once, is sent once. Every attempt carries the
same Message-ID, made on the first. What became of an attempt is recorded by cases.outbox.attempts:
failures are retried with waits doubling from a minute, up to EMAIL_MAX_ATTEMPTS, then the row is
marked failed for staff to see; an attempt whose outcome is unknown (the mail server had the whole
email, then timed out) gets one more try at most, then the row is marked sent, unconfirmed.

A worker that dies mid-send (killed, its machine down) leaves its email being sent. Right before
the message's content and final "." go to the mail server, the attempt marks its row handed over,
in a write of its own; until then the server surely has not got the email. The emails of a gone
sender are recovered (cases.outbox.orphans): one not handed over is queued again and sent once;
one handed over is marked sent, unconfirmed, and not sent again unless staff ask (`retry`). So each
email is delivered exactly once, unless its worker dies between the hand-over mark and recording the
server's answer: then it is marked sent, unconfirmed, never sent twice.

Logs name emails and cases by id and errors by class only: never an address or a body.
"""

import logging
import time
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import make_msgid
from django.db import InterfaceError, OperationalError, router, transaction
from django.db.models import F
from django.utils import timezone

from carmsupport.mail import DeliveryUnconfirmed
from carmsupport.middleware import current_request_id, request_id_context, reset_connections

from ..models import Case, OutboundEmail
from . import attempts, senders
from .messages import address_of, message_of

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
Kind = OutboundEmail.Kind

# A queued email this long past due has lost its task (e.g. a crash between commit and enqueue).
STALE_AFTER = timedelta(minutes=5)
# How long the outcome of an attempt waits for the database to record it (see `_recorded`).
RECORD_PATIENCE = timedelta(minutes=2)


def queue_email(case: Case, kind: str, message=None, asks_if_resolved=False) -> OutboundEmail:
    """Queue an email to the case's client in the caller's transaction, with its task (`enqueue_with`).

    With `asks_if_resolved`, the email (the one that resolves the case) asks "Did we resolve your request?".
    """
    email = _new_email(case, kind, message=message, asks_if_resolved=asks_if_resolved)
    email.save()
    enqueue_with(email.pk)
    logger.info("Email %s (%s, case %s) queued", email.pk, kind, case.pk)
    return email


def queue_staff_email(case: Case | None, kind: str, recipient) -> OutboundEmail:
    """Queue an email to a member of staff (OutboundEmail.Kind.to_staff) about `case` (None: a digest,
    about several) in the caller's transaction, with its task (`enqueue_with`). It counts against no
    client's mailbox."""
    return queue_staff_emails(case, kind, [recipient])[0]


def queue_staff_emails(case: Case | None, kind: str, recipients) -> list[OutboundEmail]:
    """queue_staff_email to each of `recipients`, in one query."""
    emails = OutboundEmail.objects.bulk_create([_new_email(case, kind, recipient=each) for each in recipients])
    for email in emails:
        enqueue_with(email.pk)
        logger.info("Email %s (%s, case %s) queued for staff", email.pk, kind, email.case_id)
    return emails


def _new_email(case: Case | None, kind: str, **fields) -> OutboundEmail:
    """An email of the outbox, not yet saved: due now, with the id of the request that queued it."""
    now = timezone.now()
    return OutboundEmail(
        case=case, kind=kind, created_at=now, next_attempt_at=now, request_id=current_request_id(), **fields
    )


def enqueue_with(email_id: int) -> None:
    """Enqueue the email's task with the caller's transaction: in it when the task queue is a table of the
    same database, so that the row and its task are saved together, in one transaction; else once it
    commits (a queue elsewhere, or the immediate backend, which would send before the row is saved)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ..tasks import deliver_email

    backend = deliver_email.get_backend()
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == router.db_for_write(OutboundEmail):
        deliver_email.enqueue(email_id)  # a failure rolls the email back with its cause
    else:
        transaction.on_commit(partial(enqueue, email_id), robust=True)


def enqueue(email_id: int, run_after=None) -> bool:
    """Enqueue the task that delivers this email; False (and logged) if the task backend refused it.

    An email whose task was lost is enqueued again by `requeue_stale`.
    """
    from ..tasks import deliver_email

    task = deliver_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            # The immediate backend cannot wait: the email waits for `send_queued_emails`.
            logger.info("Email %s waits for its next attempt: the task backend cannot defer", email_id)
            return False
        task = task.using(run_after=run_after)
    try:
        task.enqueue(email_id)
    except Exception as error:
        logger.error("Email %s not enqueued: %s", email_id, type(error).__name__)
        return False
    return True


def deliver(email_id: int) -> str:
    """Send one queued email if it is due and nobody else is sending it; return what became of it.

    Runs outside any transaction: the claim, and the outcome, are each a short write of their
    own, and no lock is held while the mail server is talked to.
    """
    now = timezone.now()
    # next_attempt_at, while being sent, is when this attempt began (see senders.is_gone).
    claimed = OutboundEmail.objects.filter(pk=email_id, status=Status.QUEUED, next_attempt_at__lte=now).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now, sender=senders.me(), handed_over_at=None
    )
    if not claimed:
        # Sent, cancelled, being sent by another worker, not yet due, or no such email.
        return "skipped"
    email = OutboundEmail.objects.select_related("case__topic", "message", "recipient__staff_profile", "inbound").get(
        pk=email_id
    )
    with request_id_context(email.request_id or current_request_id()):
        return _send(email)


def _send(email: OutboundEmail) -> str:
    """Send the claimed `email` (being sent, its attempt counted) and record what became of it."""
    if not address_of(email):
        OutboundEmail.objects.filter(pk=email.pk, status=Status.SENDING).update(status=Status.CANCELLED)
        logger.info("Email %s cancelled: no address left (personal data removed, or staff account closed)", email.pk)
        return Status.CANCELLED.value
    if not email.internet_message_id:  # the first attempt
        email.internet_message_id = new_message_id()
        OutboundEmail.objects.filter(pk=email.pk).update(internet_message_id=email.internet_message_id)
    try:
        message = message_of(email)
        message.on_hand_over = partial(senders.hand_over, email.pk)
        message.send(fail_silently=False)
    except senders.Recovered:
        # Taken for gone and recovered (cases.outbox.orphans) before the server had anything: the email is
        # another attempt's now, and this one records nothing.
        logger.warning("Email %s: attempt given up, the email was recovered from this sender", email.pk)
        return "skipped"
    except DeliveryUnconfirmed as error:
        outcome = _recorded(partial(attempts.unconfirmed, email, error), email)
    except Exception as error:  # any failure, of the mail server or of writing the email, is retried
        outcome = _recorded(partial(attempts.failed, email, error), email)
    else:
        outcome = _recorded(partial(attempts.sent, email), email)
    if outcome == Status.QUEUED:
        enqueue(email.pk, run_after=email.next_attempt_at)
    return outcome


def _recorded(record, email: OutboundEmail) -> str:
    """Record an attempt's outcome, waiting for the database while it is away (RECORD_PATIENCE at most).

    The mail server has answered by then: an email that left must not stay "being sent" (for staff to
    decide) because the database blinked, nor a failure go unrecorded. Each record is one transaction,
    so trying it again writes it once.
    """
    deadline = time.monotonic() + RECORD_PATIENCE.total_seconds()
    wait = 0.5
    while True:
        try:
            return record()
        except (OperationalError, InterfaceError) as error:
            if time.monotonic() + wait > deadline:
                raise
            logger.warning(
                "Email %s: outcome not recorded yet, database unavailable (%s)", email.pk, type(error).__name__
            )
            reset_connections()
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


def new_message_id() -> str:
    """A Message-ID in the site's domain (SITE_URL's host), such as <…@support.example.ca>."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "localhost")


def due(now=None):
    """The queued emails whose attempt is due."""
    return OutboundEmail.objects.filter(status=Status.QUEUED, next_attempt_at__lte=now or timezone.now())


def stale(now=None):
    """The queued emails more than STALE_AFTER past due: their task was lost, or the worker is down."""
    return due((now or timezone.now()) - STALE_AFTER)


def _waiting_task_ids() -> set[int]:
    """The emails that have a task waiting in django-tasks-db's queue (empty for other backends)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from ..tasks import deliver_email

    backend = deliver_email.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return set()
    waiting = DBTaskResult.objects.filter(
        backend_name=backend.alias, task_path=deliver_email.module_path, status="READY"
    ).values_list("args_kwargs", flat=True)
    return {args["args"][0] for args in waiting if args.get("args")}


def requeue_stale(now=None) -> int:
    """Enqueue again the stale queued emails that have no task waiting; return how many.

    Emails being sent are left alone: see cases.outbox.orphans.
    """
    waiting = _waiting_task_ids()
    ids = [pk for pk in stale(now).values_list("pk", flat=True) if pk not in waiting]
    for pk in ids:
        logger.info("Email %s enqueued again: its task was lost", pk)
        enqueue(pk)
    return len(ids)


def retry(email: OutboundEmail, now=None) -> bool:
    """Queue again, at once, a failed email or one sent unconfirmed (a member of staff asks, e.g. as
    the client says they have not had it).

    Its attempts are kept, so a failed one that fails again is marked failed at once, and one
    sent unconfirmed is never marked failed. Returns False for an email in any other state, or
    on an anonymised case.
    """
    now = now or timezone.now()
    with transaction.atomic():
        requeued = (
            OutboundEmail.objects.filter(pk=email.pk, case__anonymised_at__isnull=True)
            .filter(status__in=[Status.FAILED, Status.UNCONFIRMED])
            .update(status=Status.QUEUED, next_attempt_at=now)
        )
        if requeued:
            enqueue_with(email.pk)
    if requeued:
        email.refresh_from_db()
    return bool(requeued)


def cancel_for_case(case_ids) -> int:
    """Cancel the queued emails of these cases (their personal data is being removed); return how many.

    Their emails' errors are blanked too, as an error may quote the address.
    """
    cancelled = OutboundEmail.objects.filter(case__in=case_ids, status=Status.QUEUED).update(status=Status.CANCELLED)
    OutboundEmail.objects.filter(case__in=case_ids).exclude(last_error="").update(last_error="")
    return cancelled


def deliver_due(now=None) -> dict[str, int]:
    """Deliver every due queued email in this process, one by one (no worker, or cron); count the outcomes."""
    outcomes: dict[str, int] = {}
    for pk in due(now).order_by("next_attempt_at", "pk").values_list("pk", flat=True):
        outcome = deliver(pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
