"""Staff work on a case, written with its rules: status and assignment, notes, downloads recorded,
and personal data removed after the retention period. (Filing a case is cases.intake.submission;
the conversation, cases.conversation.services.)"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .attachments.files import delete_attachment_files
from .models import (
    Attachment,
    Case,
    CaseEvent,
    CaseNote,
    InboundEmail,
    Message,
    OutboundEmail,
    SatisfactionAnswer,
    StaffProfile,
)
from .notifications.services import notify_assigned, notify_new_case
from .outbox.queue import cancel_for_case, queue_email

logger = logging.getLogger(__name__)

# Where a case may go from each status; closed is final.
TRANSITIONS = {
    Case.Status.NEW: {Case.Status.IN_PROGRESS, Case.Status.WAITING_ON_CLIENT, Case.Status.RESOLVED},
    Case.Status.IN_PROGRESS: {Case.Status.WAITING_ON_CLIENT, Case.Status.RESOLVED},
    Case.Status.WAITING_ON_CLIENT: {Case.Status.IN_PROGRESS, Case.Status.RESOLVED},
    Case.Status.RESOLVED: {Case.Status.CLOSED, Case.Status.IN_PROGRESS},
    Case.Status.CLOSED: set(),
}


class CaseRuleError(ValueError):
    """A change staff asked for that the case's rules do not allow."""


def check_transition(old, new):
    """Raise CaseRuleError, saying where the case can go instead, unless it may go from `old` to `new`."""
    old, new = Case.Status(old), Case.Status(new)
    if new == old or new in TRANSITIONS[old]:
        return
    allowed = ", ".join(str(Case.Status(s).label) for s in sorted(TRANSITIONS[old])) or _("none")
    raise CaseRuleError(
        _("A case cannot go from %(old)s to %(new)s. From %(old)s it can go to: %(allowed)s.")
        % {"old": old.label, "new": new.label, "allowed": allowed}
    )


def case_change(
    case: Case,
    *,
    actor,
    status=None,
    team=None,
    assigned_to=None,
    unassign=False,
    reason="",
    in_turn=False,
    tell_client=True,
) -> list[str]:
    """Change a case's status, team or assignment, recording each change; return what changed.

    The audit trail records who changed the assignee, from whom to whom, and the `reason` they gave,
    if any; `in_turn` marks an assignment made by the team's round-robin (no actor). Each assignment
    stamps the assignee's StaffProfile.last_assigned_at, which the round-robin reads, and tells the
    new assignee (unless they took it themselves). A case moved to another team is new in that
    team's queue, and its members are told so (cases.notifications).

    A case that becomes resolved is emailed to the client as resolved, the email asking "Did we resolve
    your request?"; with `tell_client=False` the caller's own email does that (a reply that resolves it).
    """
    events = []
    resolves = status == Case.Status.RESOLVED and case.status != status
    reason = (reason or "").strip()
    because = {"reason": reason} if reason else {}
    with transaction.atomic():
        if status is not None and status != case.status:
            check_transition(case.status, status)
            events.append(CaseEvent(code=CaseEvent.Code.STATUS_CHANGED, params={"old": case.status, "new": status}))
            case.status = status
            case.closed_at = timezone.now() if status == Case.Status.CLOSED else None
            if status == Case.Status.RESOLVED:
                case.resolved_at = timezone.now()
            elif status != Case.Status.CLOSED:
                case.resolved_at = None
        if team is not None and team.pk != case.team_id:
            old = case.team.name if case.team_id else ""
            events.append(CaseEvent(code=CaseEvent.Code.MOVED, params={"old": old, "new": team.name}))
            case.team = team
        if unassign and case.assigned_to_id is not None:
            old = case.assigned_to.get_username()
            events.append(CaseEvent(code=CaseEvent.Code.UNASSIGNED, params={"old": old, **because}))
            case.assigned_to = None
        elif assigned_to is not None and assigned_to.pk != case.assigned_to_id:
            new = assigned_to.get_username()
            if in_turn:
                events.append(CaseEvent(code=CaseEvent.Code.ASSIGNED_IN_TURN, params={"user": new}))
            elif case.assigned_to_id is not None:
                old = case.assigned_to.get_username()
                events.append(CaseEvent(code=CaseEvent.Code.REASSIGNED, params={"old": old, "new": new, **because}))
            else:
                events.append(CaseEvent(code=CaseEvent.Code.ASSIGNED, params={"user": new, **because}))
            case.assigned_to = assigned_to
            StaffProfile.objects.update_or_create(user=assigned_to, defaults={"last_assigned_at": timezone.now()})
        if events:
            case.save(update_fields=["status", "closed_at", "resolved_at", "team", "assigned_to"])
            for event in events:
                event.case, event.actor = case, actor
            CaseEvent.objects.bulk_create(events)
            _notify(case, events, actor)
        if resolves and tell_client:
            queue_email(case, OutboundEmail.Kind.RESOLUTION, asks_if_resolved=True)
    return [event.description for event in events]


def _notify(case: Case, events, actor) -> None:
    for event in events:
        if event.code in (CaseEvent.Code.ASSIGNED, CaseEvent.Code.REASSIGNED, CaseEvent.Code.ASSIGNED_IN_TURN):
            notify_assigned(case, event)
        elif event.code == CaseEvent.Code.MOVED:
            notify_new_case(case, event, but=[actor])


def case_add_note(case: Case, *, author, text: str) -> CaseNote:
    """Add an internal note; refused once the case's personal data is removed, as a note may hold some."""
    with transaction.atomic():
        # Locked as cases_anonymise_closed locks the cases it blanks: a note comes before a run and is blanked
        # by it, or after and is refused.
        if Case.objects.select_for_update().get(pk=case.pk).anonymised_at is not None:
            raise CaseRuleError(_("Personal data was removed from this case: no note can be added to it."))
        note = CaseNote.objects.create(case=case, author=author, text=text)
        CaseEvent.objects.create(case=case, actor=author, code=CaseEvent.Code.NOTE_ADDED)
    return note


def case_record_download(attachment: Attachment, *, actor) -> None:
    """Record on the case that a member of staff downloaded one of the client's files."""
    CaseEvent.objects.create(
        case_id=attachment.case_id,
        actor=actor,
        code=CaseEvent.Code.ATTACHMENT_DOWNLOADED,
        params={"name": attachment.name},
    )


# Blanked by anonymisation: the client's details, their words, and an error that may quote the address.
PERSONAL_FIELDS = [*Case.PERSONAL_DETAILS, "description", "acknowledgment_error"]


def _forget_emails_received(case_ids=None, received_before=None) -> None:
    """The emails received about these cases (or, with `received_before`, those of no case received
    before then) lose their raw message, sender and subject, and the automatic answers to them their
    address."""
    if received_before is not None:
        received = InboundEmail.objects.filter(case__isnull=True, received_at__lt=received_before).exclude(sender="")
        answers = OutboundEmail.objects.filter(inbound__in=received)
    else:
        received = InboundEmail.objects.filter(case__in=case_ids)
        answers = OutboundEmail.objects.filter(case__in=case_ids)
    answers.exclude(address="").update(address="")
    for stored in received.exclude(raw="").values_list("raw", flat=True):
        InboundEmail._meta.get_field("raw").storage.delete(stored)
    received.update(raw="", sender="", subject="")


def cases_anonymise_closed(*, older_than_days: int, now=None) -> int:
    """Remove the personal data of cases closed more than `older_than_days` ago; return how many.

    What the service-standard figures need stays: dates, topic, class, status, the
    help-tool answers (which hold nothing about the client) and the audit trail. Messages are
    blanked, and the client's comment on "Did we resolve your request?" (its answer stays), attachments
    deleted with their files, the emails received deleted but for their record, unsent emails cancelled.
    The emails received that no case claimed (unmatched, automatic, too large) are forgotten alike once
    as old.
    """
    now = now or timezone.now()
    due = Case.objects.filter(
        status=Case.Status.CLOSED, closed_at__lt=now - timedelta(days=older_than_days), anonymised_at__isnull=True
    )
    with transaction.atomic():
        ids = list(due.select_for_update().values_list("pk", flat=True))
        removed = _("(removed after the retention period)")
        CaseNote.objects.filter(case__in=ids).update(text=removed)
        Message.objects.filter(case__in=ids).update(body=removed)
        SatisfactionAnswer.objects.filter(case__in=ids).update(comment="")
        delete_attachment_files(Attachment.objects.filter(case__in=ids))
        _forget_emails_received(ids)
        _forget_emails_received(received_before=now - timedelta(days=older_than_days))
        cancel_for_case(ids)
        # An empty conversation key: every link the client was sent stops working.
        count = Case.objects.filter(pk__in=ids).update(
            anonymised_at=now, conversation_key="", **dict.fromkeys(PERSONAL_FIELDS, "")
        )
        CaseEvent.objects.bulk_create([CaseEvent(case_id=pk, at=now, code=CaseEvent.Code.ANONYMISED) for pk in ids])
    return count
