"""Staff told of news about a case, each recipient once, in the transaction of what happened.

Who is told:
- a new case in a team's queue (filed, or moved to the team): the team's members, but for its
  assignee (told it is theirs) and whoever moved it;
- a case assigned: its new assignee, unless they took it themselves;
- a client's follow-up, their "No" to "Did we resolve your request?", or their address refusing
  our email (a bounce): the assignee, or when nobody is, the team's members;
- a reply due soon, a target missed: cases.warnings.

Only active staff allowed to view cases are told, and of a team, only those not away today (an
assignee is told even when away: the case is theirs until someone reassigns it). Each is told as
their staff profile says (StaffProfile.notify): at once, in their next daily digest
(cases.notifications.digests), or never. Nothing quotes what the client wrote.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.calendar import eastern_date

from ..models import Case, CaseEvent, OutboundEmail, StaffNotification, StaffProfile
from ..models.team import may_view_cases, present_on
from ..outbox.queue import queue_staff_emails

logger = logging.getLogger(__name__)

Kind = StaffNotification.Kind
Notify = StaffProfile.Notify

EMAIL_KIND = {
    Kind.NEW_CASE: OutboundEmail.Kind.NEW_CASE_NOTICE,
    Kind.ASSIGNED: OutboundEmail.Kind.ASSIGNED_NOTICE,
    Kind.FOLLOW_UP: OutboundEmail.Kind.FOLLOW_UP_NOTICE,
    Kind.NOT_RESOLVED: OutboundEmail.Kind.NOT_RESOLVED_NOTICE,
    Kind.BOUNCED: OutboundEmail.Kind.BOUNCED_NOTICE,
    Kind.DUE_SOON: OutboundEmail.Kind.DUE_SOON_WARNING,
    Kind.MISSED: OutboundEmail.Kind.TARGET_MISSED,
}


def staff(users):
    """Of these users, the active staff allowed to view cases, with their profiles; one query."""
    return list(
        users.filter(may_view_cases(), is_active=True, is_staff=True).select_related("staff_profile").order_by("pk")
    )


def members(team_id, now, *, leads=False):
    """The team's members (or only its leads) who are to be told today: present, active, on staff and
    allowed to view cases."""
    if team_id is None:
        return []
    of_team = Q(teams_led=team_id) if leads else Q(teams=team_id)
    return staff(get_user_model().objects.filter(of_team & present_on(eastern_date(now))).distinct())


def assignee_else_team(case: Case, now):
    """Who is told of news from the client: the assignee, or the team when nobody is assigned."""
    if case.assigned_to_id is not None:
        return staff(get_user_model().objects.filter(pk=case.assigned_to_id))
    return members(case.team_id, now)


def delivery(user, kind: str) -> str:
    """How `user` wants news of `kind`: their profile's choice, or its default without a profile."""
    try:
        return user.staff_profile.notify(kind)
    except StaffProfile.DoesNotExist:
        return StaffProfile.NOTIFY_FIELDS[kind][1]


def notify(case: Case, kind: str, recipients, *, event=None, target=None, now=None) -> int:
    """Tell `recipients` of news of `kind` about `case`, each as they chose, in one transaction: the
    notifications not yet written are written, and the emails of those told at once queued with them.
    The news is `event` (an audit-trail entry), or for the warnings, the reply `target`. How many
    were written."""
    now = now or timezone.now()
    told = [(recipient, delivery(recipient, kind)) for recipient in recipients]
    told = [(recipient, how) for recipient, how in told if how != Notify.NEVER]
    if not told:
        return 0
    with transaction.atomic():
        if event is not None:
            # Written with their event, which is new: none of them exists yet, and all are written at once.
            written = StaffNotification.objects.bulk_create(
                StaffNotification(
                    case=case, kind=kind, target=target, event=event, recipient=recipient, created_at=now, delivery=how
                )
                for recipient, how in told
            )
        else:
            written = _warnings(case, kind, target, told, now)
        at_once = [notification for notification in written if notification.delivery == Notify.AT_ONCE]
        if at_once:
            emails = queue_staff_emails(case, EMAIL_KIND[kind], [notification.recipient for notification in at_once])
            for notification, email in zip(at_once, emails, strict=True):
                notification.email = email
            StaffNotification.objects.bulk_update(at_once, ["email"])
    if written:
        logger.info("Case %s: %s staff notification(s) of %s written", case.pk, len(written), kind)
    return len(written)


def _warnings(case, kind, target, told, now) -> list[StaffNotification]:
    """The warnings about `target` not given yet, written one by one: another check may be writing
    them too, and the unique constraint decides which writes each."""
    written = []
    for recipient, how in told:
        warning, new = StaffNotification.objects.get_or_create(
            case=case,
            kind=kind,
            target=target,
            recipient=recipient,
            defaults={"created_at": now, "delivery": how},
        )
        if new:
            written.append(warning)
    return written


def notify_new_case(case: Case, event: CaseEvent, *, but=()) -> int:
    """Tell the case's team of a new case in its queue, but for its assignee and those in `but`."""
    left_out = {case.assigned_to_id, *(user.pk for user in but if user is not None)}
    recipients = [user for user in members(case.team_id, event.at) if user.pk not in left_out]
    return notify(case, Kind.NEW_CASE, recipients, event=event, target=case.reply_due_at, now=event.at)


def notify_assigned(case: Case, event: CaseEvent) -> int:
    """Tell the new assignee the case is theirs, unless they assigned it to themselves."""
    if case.assigned_to_id is None or case.assigned_to_id == event.actor_id:
        return 0
    recipients = staff(get_user_model().objects.filter(pk=case.assigned_to_id))
    return notify(case, Kind.ASSIGNED, recipients, event=event, target=case.reply_due_at, now=event.at)


def notify_from_client(case: Case, event: CaseEvent, kind: str, target=None) -> int:
    """Tell the assignee, or the team, of the client's follow-up (Kind.FOLLOW_UP) or "No"
    (Kind.NOT_RESOLVED); `target` is when the follow-up must be answered."""
    recipients = assignee_else_team(case, event.at)
    return notify(case, kind, recipients, event=event, target=target or case.reply_due_at, now=event.at)
