"""Staff told, with no person present, that a case's reply is due soon, or that its target was missed.

`check_due_cases` (the command of that name runs it every few minutes) looks at the open cases whose
next reply (`reply_due_at`) is still waited for:

- due soon, within the next DUE_SOON_OPEN_HOURS of the helpdesk's open hours and not yet past (the
  case list's "Due soon", cases.selectors.due_soon): the assignee is warned; an unassigned case warns
  the members of its team. Warnings are given while the helpdesk is open, when staff can act on them:
  a target at 9:00 on Monday, 2 open hours away from Friday's closing on, is warned of at 7:00 on
  Monday, not on Friday night or on Sunday;
- past its target: the team's leads are told, and the case is marked escalated for that target.

A run after a downtime that finds a target already past sends only the escalation, never a stale
"due soon". Who is told: active staff allowed to view cases. Of a team (members or leads), those away
today are left out; an assignee is warned even when away, as the case is theirs until someone
reassigns it. Each warning is a StaffNotification, unique per case, kind, target and recipient, and
its email is queued in the same transaction only when the row was created, so two runs at once, or
one run twice, send each warning once. A new target (a follow-up, a reply) warns again. Each is
told as they chose (cases.notifications): at once, in the daily digest, or never.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from helpdesk.calendar import eastern_date, is_open
from helpdesk.models import ClosureDay

from ..models import Case, CaseEvent, StaffNotification, overdue
from ..notifications.services import assignee_else_team, members, notify
from ..selectors import due_soon

logger = logging.getLogger(__name__)

Kind = StaffNotification.Kind


def check_due_cases(now=None) -> dict[str, int]:
    """Warn about the cases due soon and escalate those past their target; count the warnings written."""
    now = now or timezone.now()
    sent = {Kind.DUE_SOON.value: 0, Kind.MISSED.value: 0}
    cases = Case.objects.select_related("assigned_to", "team")
    soon = cases.filter(due_soon(now)).exclude(reply_due_at=None)
    if not is_open(now, ClosureDay.dates_from(eastern_date(now))):
        soon = soon.none()
    for case in soon:
        recipients = assignee_else_team(case, now)
        sent[Kind.DUE_SOON] += notify(case, Kind.DUE_SOON, recipients, target=case.reply_due_at, now=now)
    missed = cases.filter(overdue(now)).exclude(reply_due_at=None).exclude(escalated_target=F("reply_due_at"))
    for case in missed:
        sent[Kind.MISSED] += _escalate(case, now)
    return sent


def _escalate(case, now) -> int:
    """Tell the team's leads that the case's target passed, and mark the case escalated for that target,
    whether or not a lead could be told; in one transaction."""
    with transaction.atomic():
        told = notify(case, Kind.MISSED, members(case.team_id, now, leads=True), target=case.reply_due_at, now=now)
        marked = (
            Case.objects.filter(pk=case.pk, reply_due_at=case.reply_due_at)
            .exclude(escalated_target=case.reply_due_at)
            .update(escalated_target=case.reply_due_at)
        )
        if marked:
            CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.ESCALATED, params={"leads": told})
    return told
