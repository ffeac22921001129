"""Merging a client's duplicate case into the case that continues it.

Staff merge a case into another of the same client (the same email address, whatever the case of its
letters). Everything of the merged case moves to the one that continues it: its request, which joins
the conversation as a client message with its files, its messages, files, notes and audit trail. The
merged case is closed and names the case that continues it (`merged_into`), so that its reference
still leads there: the status lookup, its conversation links and a follow-up sent from them. The
client is emailed once, naming the reference that continues. The service-standard figures count the
pair once: the case that continues is a case received, the merged request one of its client messages.

A case that continues another is never itself merged (it is closed and names its own), so `merged_into`
always names an open or resolved case, one step away.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attachment, Case, CaseEvent, CaseNote, Message, OutboundEmail
from .outbox.queue import queue_email
from .services import CaseRuleError, case_change


def continuing(case: Case) -> Case:
    """The case that continues `case`: the one it was merged into, or itself."""
    return case.merged_into if case.merged_into_id is not None else case


def check_merge(merged: Case, into: Case) -> None:
    """Raise CaseRuleError, saying why, unless `merged` may be merged into `into`.

    A case already merged into `into` passes: merging it again changes nothing (see `case_merge`).
    """
    if merged.merged_into_id == into.pk:
        return
    names = {"merged": merged.display_reference, "into": into.display_reference}
    if merged.pk == into.pk:
        raise CaseRuleError(_("A case cannot be merged into itself."))
    if merged.merged_into_id is not None:
        raise CaseRuleError(
            _("Case %(merged)s was already merged into %(other)s.")
            % {**names, "other": Case.objects.get(pk=merged.merged_into_id).display_reference}
        )
    if into.merged_into_id is not None:
        # This is also what refuses a cycle: a case merged into `merged` is closed and names it.
        raise CaseRuleError(_("Case %(into)s was itself merged into another case: it cannot take a merge.") % names)
    for case in (merged, into):
        if case.anonymised_at is not None:
            raise CaseRuleError(
                _("Personal data was removed from case %(reference)s: it cannot be merged.")
                % {"reference": case.display_reference}
            )
    if into.status == Case.Status.CLOSED:
        raise CaseRuleError(
            _("Case %(into)s is closed: a case can be merged only into one that is not closed.") % names
        )
    if merged.email.strip().lower() != into.email.strip().lower():
        raise CaseRuleError(
            _(
                "Cases %(merged)s and %(into)s are not from the same client: their email addresses differ. "
                "Only a client's own cases can be merged."
            )
            % names
        )


def case_merge(merged: Case, into: Case, *, actor) -> bool:
    """Merge `merged` into `into`, which continues it; True if merged now, False if it already was.

    One transaction, both cases locked (in the order of their ids, as every merge locks them), so that
    a merge sent twice, or two at once, merges once and emails the client once: the second finds the
    case merged and changes nothing. Raises CaseRuleError when `check_merge` refuses.
    """
    with transaction.atomic():
        locked = Case.objects.select_for_update().filter(pk__in=[merged.pk, into.pk]).order_by("pk")
        cases = {case.pk: case for case in locked}
        merged, into = cases[merged.pk], cases[into.pk]
        check_merge(merged, into)
        if merged.merged_into_id == into.pk:
            return False
        now = timezone.now()
        _move_record(merged, into)
        # Cases merged into `merged` before are continued by `into` now: one step, always.
        Case.objects.filter(merged_into=merged).update(merged_into=into)
        waiting = merged.reply_due_at if merged.is_open else None
        _close_merged(merged, into, actor=actor, at=now)
        CaseEvent.objects.create(
            case=into, actor=actor, at=now, code=CaseEvent.Code.MERGED_FROM, params={"reference": str(merged)}
        )
        if waiting is not None:
            _wait_for_answer(into, waiting, actor=actor)
        queue_email(merged, OutboundEmail.Kind.MERGED)
    return True


def _move_record(merged: Case, into: Case) -> None:
    """Move the request (as a client message), messages, files, notes and audit trail of `merged` to `into`."""
    request = Message.objects.create(
        case=into,
        kind=Message.Kind.FOLLOW_UP,
        created_at=merged.received_at,
        language=merged.language,
        body=merged.description,
        # The request's target, and its answer: the merged case's first response.
        due_at=merged.due_at,
        answered_at=merged.first_response_at,
    )
    Attachment.objects.filter(case=merged, message__isnull=True).update(case=into, message=request)
    Attachment.objects.filter(case=merged).update(case=into)
    Message.objects.filter(case=merged).update(case=into)
    CaseNote.objects.filter(case=merged).update(case=into)
    events = list(merged.events.all())
    for event in events:
        # Each names the case it happened on, read beside the events of `into`.
        event.case, event.params = into, {**(event.params or {}), "merged_from": str(merged)}
    CaseEvent.objects.bulk_update(events, ["case", "params"])


def _close_merged(merged: Case, into: Case, *, actor, at) -> None:
    events = [
        CaseEvent(case=merged, actor=actor, at=at, code=CaseEvent.Code.MERGED_INTO, params={"reference": str(into)})
    ]
    if merged.status != Case.Status.CLOSED:
        params = {"old": merged.status, "new": Case.Status.CLOSED}
        events.insert(0, CaseEvent(case=merged, actor=actor, at=at, code=CaseEvent.Code.STATUS_CHANGED, params=params))
        merged.status, merged.closed_at = Case.Status.CLOSED, at
    merged.merged_into, merged.reply_due_at = into, None
    merged.save(update_fields=["status", "closed_at", "merged_into", "reply_due_at"])
    CaseEvent.objects.bulk_create(events)


def _wait_for_answer(into: Case, due_at, *, actor) -> None:
    """The merged case's messages waiting for an answer wait on `into`, as a follow-up would: its next
    reply is due by the earliest, and a case waiting on the client or resolved goes back in progress."""
    if into.reply_due_at is None or due_at < into.reply_due_at:
        into.reply_due_at = due_at
        into.save(update_fields=["reply_due_at"])
    if into.status in (Case.Status.RESOLVED, Case.Status.WAITING_ON_CLIENT):
        case_change(into, actor=actor, status=Case.Status.IN_PROGRESS)
