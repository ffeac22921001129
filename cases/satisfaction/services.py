"""The client's answer to "Did we resolve your request?", recorded on the case with the audit trail.

The email that resolves a case asks it (cases.outbox.emails). An answer changes nothing of the case by
itself: a No reopens nothing, it tells the assignee by email (`notify_not_resolved`), who decides. One answer a
case: a later one replaces it, so the last answer counts.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Case, CaseEvent, SatisfactionAnswer, StaffNotification
from ..notifications.services import notify_from_client
from ..services import CaseRuleError


def case_answer_resolved(case: Case, *, answer: str, comment: str = "", language: str, at=None) -> SatisfactionAnswer:
    """Record the client's answer (`SatisfactionAnswer.Answer`), with a comment on a No only.

    Refused once the case's personal data is removed, as a comment may hold some.
    """
    if answer not in SatisfactionAnswer.Answer.values:
        raise CaseRuleError(_("Choose Yes or No."))
    now = at or timezone.now()
    resolved = answer == SatisfactionAnswer.Answer.YES
    with transaction.atomic():
        # Locked as cases_anonymise_closed locks the cases it blanks: an answer comes before a run and
        # its comment is blanked by it, or after and is refused.
        case = Case.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=case.pk)
        if case.anonymised_at is not None:
            raise CaseRuleError(_("This request can no longer be answered."))
        recorded, _created = SatisfactionAnswer.objects.update_or_create(
            case=case,
            defaults={
                "answer": answer,
                "comment": "" if resolved else comment.strip(),
                "language": language,
                "answered_at": now,
            },
        )
        if resolved:
            CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.ANSWERED_RESOLVED)
        else:
            notify_not_resolved(case, at=now)
    return recorded


def notify_not_resolved(case: Case, *, at) -> None:
    """Record the client's No on the audit trail, naming the assignee, and tell the assignee (or the
    team, when nobody is assigned) by email, naming the case, never quoting the comment; in the
    caller's transaction."""
    assignee = case.assigned_to.get_username() if case.assigned_to else ""
    answered = CaseEvent.objects.create(
        case=case, at=at, code=CaseEvent.Code.ANSWERED_NOT_RESOLVED, params={"assignee": assignee}
    )
    notify_from_client(case, answered, StaffNotification.Kind.NOT_RESOLVED)
