"""The teams' queues: which team a new case goes to, who gets it when the team assigns in turn, and
the next case a member of staff takes.

Each assignment is made by cases.services.case_change, which writes it in the audit trail.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from helpdesk.calendar import eastern_date

from .models import Case, Team
from .models.team import may_view_cases, present_on
from .services import case_change


def team_for(topic) -> Team | None:
    """The team that owns `topic`, else the default team (None only while no team is the default)."""
    return Team.objects.filter(Q(topics=topic) | Q(is_default=True)).order_by("is_default", "pk").first()


def next_in_turn(team: Team, now=None):
    """The member of `team` whose turn it is: of those active, on staff, allowed to view cases and not
    away today (Eastern time), the one assigned a case least recently (never first, then by id); None
    when no member can take it. One query."""
    today = eastern_date(now or timezone.now())
    return (
        team.members.filter(may_view_cases(), present_on(today), is_active=True, is_staff=True)
        .order_by(F("staff_profile__last_assigned_at").asc(nulls_first=True), "pk")
        .first()
    )


def case_assign_in_turn(case: Case, now=None):
    """Assign a new case to the member of its team whose turn it is, when its team assigns in turn;
    return who got it (None: not assigned). The team's row is locked meanwhile, so that two cases
    filed at once go to two members."""
    if case.team_id is None or not case.team.round_robin:
        return None
    with transaction.atomic():
        team = Team.objects.select_for_update().filter(pk=case.team_id, round_robin=True).first()
        member = next_in_turn(team, now) if team is not None else None
        if member is not None:
            case_change(case, actor=None, assigned_to=member, in_turn=True)
    return member


def waiting_for(user):
    """The open cases of `user`'s teams that nobody is assigned, the next reply due first."""
    return Case.objects.filter(
        status__in=Case.Status.open_statuses(),
        assigned_to__isnull=True,
        team__in=Team.objects.filter(members=user).values("pk"),
    ).order_by(F("reply_due_at").asc(nulls_last=True), "due_at", "pk")


def case_take_next(actor) -> Case | None:
    """Assign `actor` the unassigned open case of their teams whose next reply is due first; None when
    none is waiting.

    Safe when several staff take at once: the case is locked as it is read, and a case another has
    locked is passed over (SKIP LOCKED, on PostgreSQL), so each gets a different case; SQLite runs
    one writing transaction at a time (its IMMEDIATE mode) and needs no lock.
    """
    with transaction.atomic():
        case = waiting_for(actor).select_for_update(skip_locked=True, of=("self",)).first()
        if case is not None:
            case_change(case, actor=actor, assigned_to=actor)
    return case
