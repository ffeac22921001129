"""Staff told, with no person present, that a case's reply is due soon, or that its target was missed.

`check_due_cases` (the command of that name runs it every few minutes) looks at the open cases whose
next reply (`reply_due_at`) is still waited for:

- due soon, within the next DUE_SOON_OPEN_HOURS of the helpdesk's open hours and not yet past (the
  case list's "Due soon", cases.selectors.due_soon): the assignee is warned; an unassigned case warns
  the members of its team;
- past its target: the team's leads are told, and the case is marked escalated for that target.

A run after a downtime that finds a target already past sends only the escalation, never a stale
"due soon". Who is told: active staff allowed to view cases. Of a team (members or leads), those away
today are left out; an assignee is warned even when away, as the case is theirs until someone
reassigns it. Each warning is a StaffWarning row, unique per case, kind, target and recipient, and
its email is queued in the same transaction only when the row was created, so two runs at once, or
one run twice, send each warning once. A new target (a follow-up, a reply) warns again.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from helpdesk.calendar import eastern_date

from ..models import VIEW_CASES, Case, CaseEvent, OutboundEmail, StaffWarning, overdue
from ..models.team import present_on
from ..outbox.queue import queue_staff_email
from ..selectors import due_soon

logger = logging.getLogger(__name__)

Kind = StaffWarning.Kind
EMAIL_KIND = {Kind.DUE_SOON: OutboundEmail.Kind.DUE_SOON_WARNING, Kind.MISSED: OutboundEmail.Kind.TARGET_MISSED}


def check_due_cases(now=None) -> dict[str, int]:
    """Warn about the cases due soon and escalate those past their target; count the warnings sent."""
    now = now or timezone.now()
    sent = {Kind.DUE_SOON.value: 0, Kind.MISSED.value: 0}
    cases = Case.objects.select_related("assigned_to", "team")
    for case in cases.filter(due_soon(now)).exclude(reply_due_at=None):
        sent[Kind.DUE_SOON] += _warn(case, Kind.DUE_SOON, _due_soon_recipients(case, now), now)
    missed = cases.filter(overdue(now)).exclude(reply_due_at=None).exclude(escalated_target=F("reply_due_at"))
    for case in missed:
        sent[Kind.MISSED] += _warn(case, Kind.MISSED, _leads(case, now), now)
    return sent


def _staff(users):
    """Of these users, the active staff allowed to view cases."""
    return [user for user in users.filter(is_active=True, is_staff=True).order_by("pk") if user.has_perm(VIEW_CASES)]


def _due_soon_recipients(case, now):
    User = get_user_model()
    if case.assigned_to_id is not None:
        return _staff(User.objects.filter(pk=case.assigned_to_id))
    if case.team_id is None:
        return []
    return _staff(User.objects.filter(Q(teams=case.team_id) & present_on(eastern_date(now))).distinct())


def _leads(case, now):
    if case.team_id is None:
        return []
    User = get_user_model()
    return _staff(User.objects.filter(Q(teams_led=case.team_id) & present_on(eastern_date(now))).distinct())


def _warn(case, kind, recipients, now) -> int:
    """Create the warnings not yet given and queue their emails, in one transaction; how many were new.

    An escalation marks the case escalated for its target, whether or not a lead could be told."""
    created = 0
    with transaction.atomic():
        for recipient in recipients:
            _warning, new = StaffWarning.objects.get_or_create(
                case=case, kind=kind, target=case.reply_due_at, recipient=recipient, defaults={"created_at": now}
            )
            if new:
                queue_staff_email(case, EMAIL_KIND[kind], recipient)
                created += 1
        if kind == Kind.MISSED:
            marked = (
                Case.objects.filter(pk=case.pk, reply_due_at=case.reply_due_at)
                .exclude(escalated_target=case.reply_due_at)
                .update(escalated_target=case.reply_due_at)
            )
            if marked:
                CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.ESCALATED, params={"leads": created})
    if created:
        logger.info("Case %s: %s %s warning(s) queued", case.pk, created, kind)
    return created
