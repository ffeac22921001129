"""One email received, taken in once: kept by its Message-ID, matched to its case (cases.inbound.matching)
and posted as the client's follow-up, or kept for staff.

`receive_message(raw)` is what `manage.py fetch_email` (IMAP) and `manage.py receive_email` (a mail
server's pipe) call for each message. Seen again (a fetch that crashed before moving the message, a
mail server that delivers twice), a message is recognised by its Message-ID and taken once: its row
is unique, and it is written in the same transaction as the follow-up it posts.

- From the case's own address, the message is the client's follow-up, exactly as from the
  conversation page (cases.conversation.services.case_follow_up): the same reopening rules, reply
  target, notifications and audit trail; only what they newly wrote is posted (cases.inbound.quoted),
  with its files that pass the web form's checks.
  Files refused are listed, and the client is answered, naming them (cases.outbox.answers).
- From another address, it is held for staff, who accept it or not (`case_accept_held`); so is a
  message about a case from an address that sent INBOUND_EMAILS_PER_HOUR or more in the hour before
  (a flood, or a loop).
- Matching no case, it is kept as unmatched, for staff to attach to a case or file a new case from
  (`case_file_from_unmatched`), and the sender is answered once a day at most, pointing to the
  contact form and the status page.
- A bounce, a mail server's report that the client's address refused one of our emails for good
  (cases.inbound.bounces), is recorded on that email's case, and in the same transaction the email is
  marked bounced with the reason, the audit trail says so and the assignee (else the team) is told.
  Each email bounces once: another report of it changes nothing more. A bounce is never answered.
- Sent by a program (an out-of-office reply, a list, a delay or a bounce of an email we did not
  send), it is recorded and nothing more: never answered.
- Larger than INBOUND_EMAIL_MAX_BYTES (its headers alone are read), it is recorded and refused, and
  the sender is answered.

Nothing of a message (address, subject, text) is logged: only ids and what became of it.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from email import message_from_bytes, policy

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..conversation.services import case_follow_up
from ..intake.help_paths import PathTaken
from ..intake.submission import case_submit
from ..models import Case, CaseEvent, InboundEmail, OutboundEmail, StaffNotification
from ..notifications.services import assignee_else_team, notify
from ..outbox.answers import queue_answer
from .attachments import files_of
from .bounces import bounced_email, delivery_report
from .matching import automatic, matched_case, sender, sender_name
from .quoted import written_text

logger = logging.getLogger(__name__)

Status = InboundEmail.Status
Answer = OutboundEmail.Kind


@dataclass(frozen=True)
class Outcome:
    """What became of a message: `kept` (stored, or known already: move it to Processed) or not (move
    it to Rejected), and why, in a word for the logs."""

    kept: bool
    reason: str
    inbound: InboundEmail | None = None


def parse(raw: bytes):
    return message_from_bytes(raw, policy=policy.default)


def message_id(message, raw: bytes) -> str:
    """The message's Message-ID; for one without, an id made of its content, the same each time it comes."""
    given = str(message.get("Message-ID", "")).strip()
    if given and len(given) <= 255:
        return given
    return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"


def receive_message(raw: bytes, *, too_large: bool = False) -> Outcome:
    """Take in one message (its bytes, as the mail server has them); see the module's docstring. With
    `too_large`, `raw` holds only the headers of a message larger than INBOUND_EMAIL_MAX_BYTES: it is
    recorded, with its case when one matches, and refused."""
    message = parse(raw)
    internet_id = message_id(message, raw)
    if InboundEmail.objects.filter(internet_message_id=internet_id).exists():
        return Outcome(True, "duplicate")
    fields = {
        "internet_message_id": internet_id,
        "sender": sender(message),
        "subject": str(message.get("Subject", ""))[:300],
        "received_at": timezone.now(),
    }
    # Before the automatic replies: a bounce usually says Auto-Submitted too.
    bounce = bounced_email(message)
    if bounce is not None:
        email, reason = bounce
        inbound = InboundEmail(status=Status.BOUNCE, case=email.case, matched_by=InboundEmail.Match.REPORT, **fields)
        return _kept(inbound, raw, bounced=(email, reason))
    if automatic(message) or delivery_report(message):
        return _kept(InboundEmail(status=Status.AUTOMATIC, **fields), raw=None)
    case, how = matched_case(message, fields["sender"])
    inbound = InboundEmail(case=case, matched_by=how, **fields)
    if too_large:
        inbound.status = Status.TOO_LARGE
        outcome = _kept(inbound, raw=None, answer=Answer.TOO_LARGE_ANSWER)
        return Outcome(False, outcome.reason, outcome.inbound)
    if case is not None and _flooding(fields["sender"], fields["received_at"]):
        inbound.status = Status.FLOODED
        return _kept(inbound, raw)
    if case is None:
        inbound.status = Status.UNMATCHED
        return _kept(inbound, raw, answer=Answer.UNMATCHED_ANSWER)
    if fields["sender"] and fields["sender"] == case.email.lower():
        inbound.status = Status.POSTED
        return _kept(inbound, raw, post=message)
    inbound.status = Status.HELD
    return _kept(inbound, raw)


def _flooding(address: str, now) -> bool:
    """Whether `address` sent INBOUND_EMAILS_PER_HOUR emails or more in the hour before `now`."""
    if not address:
        return False
    hour_ago = now - timedelta(hours=1)
    sent = InboundEmail.objects.filter(sender=address, received_at__gt=hour_ago)
    return sent.count() >= settings.INBOUND_EMAILS_PER_HOUR


def _kept(inbound: InboundEmail, raw: bytes | None, post=None, answer=None, bounced=None) -> Outcome:
    """Store `inbound` (with its raw message), post it on its case when `post` (its parsed message) is
    given, or record the bounce of `bounced` (the email, and why), and queue the automatic `answer` (an
    OutboundEmail.Kind) if any, in one transaction; a message stored meanwhile by another run is a
    duplicate."""
    try:
        with transaction.atomic():
            inbound.save()
            if raw is not None:
                inbound.raw.save("message.eml", ContentFile(raw), save=False)
                InboundEmail.objects.filter(pk=inbound.pk).update(raw=inbound.raw.name)
            if post is not None:
                _post(inbound, post)
            if bounced is not None:
                _bounced(*bounced, at=inbound.received_at)
            if answer is not None:
                queue_answer(inbound, answer)
    except IntegrityError:
        if inbound.raw:
            inbound.raw.delete(save=False)
        if InboundEmail.objects.filter(internet_message_id=inbound.internet_message_id).exists():
            return Outcome(True, "duplicate")
        raise
    except Exception:
        if inbound.raw:
            inbound.raw.delete(save=False)
        raise
    logger.info("Email received %s: %s (case %s)", inbound.pk, inbound.status, inbound.case_id)
    return Outcome(True, inbound.status, inbound)


def _post(inbound: InboundEmail, message) -> None:
    """Post the message on its case as the client's follow-up: what they newly wrote, and their files."""
    case = inbound.case
    checked, refused = files_of(message)
    text = written_text(message).new
    result = case_follow_up(case, body=text, language=case.preferred_language, files=checked, at=inbound.received_at)
    InboundEmail.objects.filter(pk=inbound.pk).update(
        case=result.case, message=result.message, refused_files=refused, status=inbound.status
    )
    inbound.case, inbound.message, inbound.refused_files = result.case, result.message, refused
    if refused:
        queue_answer(inbound, Answer.FILES_REFUSED_ANSWER)


def _bounced(email: OutboundEmail, reason: str, *, at) -> None:
    """Mark `email` bounced, with why, on its case's audit trail, and tell its assignee (else its team);
    nothing when it is marked bounced already."""
    marked = (
        OutboundEmail.objects.filter(pk=email.pk)
        .exclude(status=OutboundEmail.Status.BOUNCED)
        .update(status=OutboundEmail.Status.BOUNCED, last_error=reason)
    )
    if not marked:
        return
    case = email.case
    status = reason.partition(":")[0]
    event = CaseEvent.objects.create(
        case=case, at=at, code=CaseEvent.Code.EMAIL_BOUNCED, params={"kind": email.kind, "status": status}
    )
    notify(
        case,
        StaffNotification.Kind.BOUNCED,
        assignee_else_team(case, at),
        event=event,
        target=case.reply_due_at,
        now=at,
    )
    logger.info("Email %s (%s, case %s) bounced: %s", email.pk, email.kind, case.pk, status)


def case_accept_held(inbound: InboundEmail, *, actor) -> bool:
    """Post a held message (from another address, or of a flood), as staff decided; False if it was not held."""
    with transaction.atomic():
        held = (
            InboundEmail.objects.select_for_update()
            .filter(pk=inbound.pk, status__in=[Status.HELD, Status.FLOODED])
            .first()
        )
        if held is None or not held.raw:
            return False
        with held.raw.open("rb") as stored:
            message = parse(stored.read())
        held.status = Status.ACCEPTED
        _post(held, message)
    return True


def case_attach_unmatched(inbound: InboundEmail, case: Case, *, actor) -> bool:
    """Attach an unmatched message to `case`, as staff decided: held for them to accept unless it is from
    the case's address, when it is posted at once; False if it was not unmatched."""
    with transaction.atomic():
        found = InboundEmail.objects.select_for_update().filter(pk=inbound.pk, status=Status.UNMATCHED).first()
        if found is None or not found.raw:
            return False
        found.case, found.matched_by = case, InboundEmail.Match.STAFF
        InboundEmail.objects.filter(pk=found.pk).update(case=case, matched_by=found.matched_by, status=Status.HELD)
        found.status = Status.HELD
    if found.sender and found.sender == case.email.lower():
        return case_accept_held(found, actor=actor)
    return True


def case_file_from_unmatched(inbound: InboundEmail, *, topic, language: str, actor) -> Case | None:
    """File a new case from an unmatched email, as staff decided: the sender is its client (their name
    as their email gives it), what they newly wrote its request, their checked files its files; they
    are acknowledged as from the contact form. None if the email was not unmatched."""
    with transaction.atomic():
        found = InboundEmail.objects.select_for_update().filter(pk=inbound.pk, status=Status.UNMATCHED).first()
        if found is None or not found.raw or not found.sender:
            return None
        with found.raw.open("rb") as stored:
            message = parse(stored.read())
        checked, refused = files_of(message)
        contact = {
            "full_name": sender_name(message) or found.sender,
            "email": found.sender,
            "telephone": "",
            "business_name": "",
            "business_number": "",
            "preferred_language": language,
            "description": written_text(message).new,
        }
        case, _new = case_submit(
            contact=contact, path_taken=PathTaken.straight(topic), language=language, attachments=checked
        )
        InboundEmail.objects.filter(pk=found.pk).update(
            case=case, matched_by=InboundEmail.Match.STAFF, status=Status.FILED, refused_files=refused
        )
    logger.info("Email received %s filed as case %s", found.pk, case.pk)
    return case
