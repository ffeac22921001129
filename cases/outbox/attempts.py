"""What became of one attempt to send an outbox email, recorded on its row, on its case and in the logs.

Three outcomes:
- sent: the mail server took the email;
- failed, surely (server down, refusal, an email that cannot be written): tried again after a
  wait, up to EMAIL_MAX_ATTEMPTS attempts, then marked failed;
- unknown: the mail server had the whole email, then timed out or hung up before saying whether
  it took it (carmsupport.mail.DeliveryUnconfirmed), so the client may have it. The email gets
  one more try at most, then is marked "sent, unconfirmed", never failed. Its `sent_at` is then
  set at once, and an email queued or being sent with a `sent_at` is one whose earlier attempt
  may have arrived: whatever its next attempt brings short of success, it ends unconfirmed.

An acknowledgment sent, even unconfirmed, is recorded on its case (`acknowledged_at`), so that
the client's confirmation page says it was sent; only one that failed for good says it was not.
Logs name emails and cases by id and errors by class only: never an address or a body.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Case, CaseEvent, OutboundEmail
from .messages import address_of

logger = logging.getLogger(__name__)

Status = OutboundEmail.Status
Kind = OutboundEmail.Kind

FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`th failed attempt: a minute, then doubling, at most six hours."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def describe_error(error: BaseException, address: str = "") -> str:
    """The error as staff read it, "ClassName: message", without the client's address, at most 300 characters."""
    text = f"{type(error).__name__}: {error}"
    if address:
        text = _redact(text, address)
    return text[:300]


def _redact(text: str, address: str) -> str:
    lower, needle = text.lower(), address.lower()
    start = lower.find(needle)
    while start != -1:
        text = text[:start] + "(recipient)" + text[start + len(needle) :]
        lower = text.lower()
        start = lower.find(needle, start + len("(recipient)"))
    return text


def _address(email: OutboundEmail) -> str:
    """The address the email goes to, which an error's text must not keep."""
    return address_of(email)


def _acknowledged(case: Case, at) -> None:
    Case.objects.filter(pk=case.pk).update(acknowledged_at=at, acknowledgment_error="")


def sent(email: OutboundEmail) -> str:
    now = timezone.now()
    case = email.case
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENT, sent_at=now)
        # The acknowledgment has its own line in the audit trail; other emails say which they were
        # (a digest to staff, about several cases, is on none's).
        if email.kind == Kind.ACKNOWLEDGMENT:
            _acknowledged(case, now)
            CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.ACKNOWLEDGED)
        elif case is not None:
            CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.EMAIL_SENT, params={"kind": email.kind})
    logger.info("Email %s (%s, case %s) sent, attempt %s", email.pk, email.kind, email.case_id, email.attempts)
    return Status.SENT.value


def failed(email: OutboundEmail, error: Exception) -> str:
    """A sure failure: queued again for after its wait (email.next_attempt_at), or failed for good,
    or, when an earlier attempt may have arrived, sent unconfirmed."""
    now = timezone.now()
    case = email.case
    name = type(error).__name__
    text = describe_error(error, _address(email))
    handed_over = email.sent_at is not None
    if handed_over:
        status = Status.UNCONFIRMED
    else:
        status = Status.FAILED if email.attempts >= settings.EMAIL_MAX_ATTEMPTS else Status.QUEUED
    email.next_attempt_at = now + backoff(email.attempts) if status == Status.QUEUED else email.next_attempt_at
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=status, next_attempt_at=email.next_attempt_at, last_error=text
        )
        _record_attempt(email, CaseEvent.Code.EMAIL_FAILED, now, name)
        if email.kind == Kind.ACKNOWLEDGMENT and status == Status.UNCONFIRMED:
            _acknowledged(case, email.sent_at)
        elif email.kind == Kind.ACKNOWLEDGMENT and status == Status.FAILED:
            Case.objects.filter(pk=case.pk).update(acknowledgment_error=text)
            CaseEvent.objects.create(
                case=case, at=now, code=CaseEvent.Code.ACKNOWLEDGMENT_FAILED, params={"error": name}
            )
    ids = (email.pk, email.kind, email.case_id, email.attempts, settings.EMAIL_MAX_ATTEMPTS)
    if status == Status.QUEUED:
        at = email.next_attempt_at.isoformat(timespec="seconds")
        logger.warning("Email %s (%s, case %s) not sent, attempt %s of %s, next at %s: %s", *ids, at, name)
    elif status == Status.FAILED:
        logger.warning("Email %s (%s, case %s) failed, attempt %s of %s, given up: %s", *ids, name)
    else:
        logger.warning("Email %s (%s, case %s) not sent, attempt %s of %s, sent unconfirmed before: %s", *ids, name)
    return status.value


def _record_attempt(email: OutboundEmail, code, at, error_name: str) -> None:
    """The attempt on the case's audit trail: which email, which attempt, which error (its class only)."""
    params = {"kind": email.kind, "attempt": email.attempts, "error": error_name}
    if email.case_id is not None:
        CaseEvent.objects.create(case=email.case, at=at, code=code, params=params)


def unconfirmed(email: OutboundEmail, error: Exception) -> str:
    """An unknown outcome: queued once more for after its wait, or sent unconfirmed.

    `error` is a DeliveryUnconfirmed; staff read the error it replaced (its __cause__).
    """
    now = timezone.now()
    case = email.case
    cause = error.__cause__ or error
    name = type(cause).__name__
    once_more = email.sent_at is None and email.attempts < settings.EMAIL_MAX_ATTEMPTS
    status = Status.QUEUED if once_more else Status.UNCONFIRMED
    email.sent_at = now
    email.next_attempt_at = now + backoff(email.attempts) if once_more else email.next_attempt_at
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=status,
            sent_at=now,
            next_attempt_at=email.next_attempt_at,
            last_error=describe_error(cause, _address(email)),
        )
        _record_attempt(email, CaseEvent.Code.EMAIL_UNCONFIRMED, now, name)
        if email.kind == Kind.ACKNOWLEDGMENT and status == Status.UNCONFIRMED:
            _acknowledged(case, now)
    ids = (email.pk, email.kind, email.case_id, email.attempts, settings.EMAIL_MAX_ATTEMPTS)
    if once_more:
        at = email.next_attempt_at.isoformat(timespec="seconds")
        logger.warning("Email %s (%s, case %s) outcome unknown, attempt %s of %s, once more at %s: %s", *ids, at, name)
    else:
        logger.warning("Email %s (%s, case %s) outcome unknown, attempt %s of %s, sent unconfirmed: %s", *ids, name)
    return status.value


def abandoned(email: OutboundEmail, error: Exception) -> None:
    """Record on the case an attempt whose sender stopped after handing the email to the mail server
    (the row was marked sent, unconfirmed, as of that hand-over, by cases.outbox.orphans)."""
    _record_attempt(email, CaseEvent.Code.EMAIL_UNCONFIRMED, email.sent_at, type(error).__name__)
    if email.kind == Kind.ACKNOWLEDGMENT:
        _acknowledged(email.case, email.sent_at)
    ids = (email.pk, email.kind, email.case_id, email.attempts)
    logger.warning("Email %s (%s, case %s) sent unconfirmed, attempt %s: its sender stopped", *ids)
