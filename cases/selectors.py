"""Reads about cases that take more than a filter: the service-standard figures, the workload: open
cases by age in business days and by assignee, and the queues of a member of staff's teams."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from carmsupport.bilingual import current_language
from helpdesk.calendar import business_days_back, day_bounds, eastern_date, open_hours_later
from helpdesk.models import ClosureDay

from .models import Case, Message, Team, overdue


def service_standard(days=30, now=None):
    """Of the cases received in the last `days` days: how many have had a first response, how many
    of those by their target, and how many wait past a target; of the follow-ups received in
    that time and answered, how many by their own target (two queries)."""
    now = now or timezone.now()
    # A merged case counts once, as the case that continues it (cases.merging).
    received = Case.objects.filter(received_at__gte=now - timedelta(days=days), merged_into__isnull=True)
    figures = received.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
        overdue=Count("pk", filter=overdue(now)),
    )
    answered = figures["answered"]
    figures["days"] = days
    figures["on_time_percent"] = round(100 * figures["on_time"] / answered) if answered else None
    # The client's follow-ups, each with its own target, answered in the same period.
    figures["next"] = Message.objects.filter(
        kind=Message.Kind.FOLLOW_UP, created_at__gte=now - timedelta(days=days), answered_at__isnull=False
    ).aggregate(answered=Count("pk"), on_time=Count("pk", filter=Q(answered_at__lte=F("due_at"))))
    return figures


# How long open cases have waited, in the helpdesk's business days, and who holds them.


# Ages of open cases, in business days since received: (lowest age, highest age or None).
AGE_BUCKETS = [(0, 0), (1, 1), (2, 4), (5, 9), (10, 14), (15, None)]


def age_label(bucket):
    low, high = bucket
    if high is None:
        return gettext("%(low)d or more business days") % {"low": low}
    if low == high:
        return ngettext("%(count)d business day", "%(count)d business days", low) % {"count": low}
    return gettext("%(low)d to %(high)d business days") % {"low": low, "high": high}


def age_bounds(bucket, now=None, closed_days=None):
    """The received_at range, (from or None, before or None), of the cases whose age at `now`
    (business_days_elapsed(received_at, now)) is in `bucket`.

    An age of at least k means received before the start of the k-th business day counted back
    from today (today first if it is one)."""
    now = now or timezone.now()
    low, high = bucket
    today = eastern_date(now)
    if closed_days is None:
        closed_days = ClosureDay.dates_from(today - timedelta(days=366))
    starts = business_days_back(today, max(low, (high or 0) + 1), closed_days)
    return (None if high is None else starts[high], starts[low - 1] if low else None)


def _received_in(bounds):
    since, before = bounds
    condition = Q()
    if since is not None:
        condition &= Q(received_at__gte=since)
    if before is not None:
        condition &= Q(received_at__lt=before)
    return condition


def open_cases_by_age(now=None):
    """[(bucket, open cases, of them overdue)] for AGE_BUCKETS (two queries)."""
    now = now or timezone.now()
    closed_days = ClosureDay.dates_from(eastern_date(now) - timedelta(days=366))
    conditions = [_received_in(age_bounds(bucket, now, closed_days)) for bucket in AGE_BUCKETS]
    counts = {}
    for n, condition in enumerate(conditions):
        counts[f"open{n}"] = Count("pk", filter=condition)
        counts[f"overdue{n}"] = Count("pk", filter=condition & overdue(now))
    figures = Case.objects.filter(status__in=Case.Status.open_statuses()).aggregate(**counts)
    return [(bucket, figures[f"open{n}"], figures[f"overdue{n}"]) for n, bucket in enumerate(AGE_BUCKETS)]


def due_later_today(now=None):
    """Open cases whose next reply is due later today: not overdue yet, and to answer before midnight."""
    now = now or timezone.now()
    return Q(status__in=Case.Status.open_statuses(), reply_due_at__gte=now, reply_due_at__lt=day_bounds(now)[1])


def due_soon(now=None):
    """Open cases whose next reply is due within the next DUE_SOON_OPEN_HOURS of the helpdesk's open
    hours, and not overdue yet (one query, for the closure days)."""
    now = now or timezone.now()
    horizon = open_hours_later(now, settings.DUE_SOON_OPEN_HOURS, ClosureDay.dates_from(eastern_date(now)))
    return Q(status__in=Case.Status.open_statuses(), reply_due_at__gte=now, reply_due_at__lte=horizon)


def team_queues(user, now=None):
    """Each of `user`'s teams, by name, with its open, due soon and overdue cases: [{"team", "open",
    "due_soon", "overdue"}] (three queries at most, however many teams and cases)."""
    now = now or timezone.now()
    teams = list(Team.objects.filter(members=user).order_by(f"name_{current_language()}", "name_en", "pk"))
    if not teams:
        return []
    counts = {
        row["team"]: row
        for row in Case.objects.filter(team__in=[team.pk for team in teams], status__in=Case.Status.open_statuses())
        .values("team")
        .annotate(
            open=Count("pk"), due_soon=Count("pk", filter=due_soon(now)), overdue=Count("pk", filter=overdue(now))
        )
        .order_by()
    }
    empty = {"open": 0, "due_soon": 0, "overdue": 0}
    return [{"team": team, **{key: counts.get(team.pk, empty)[key] for key in empty}} for team in teams]


def open_cases_by_assignee(now=None):
    """Each member of staff with open cases, then the unassigned ones: [{"user_id" (None: unassigned),
    "name", "open", "overdue", "due_today", "waiting"}] (one query)."""
    now = now or timezone.now()
    rows = (
        Case.objects.filter(status__in=Case.Status.open_statuses())
        .values("assigned_to", "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=overdue(now)),
            due_today=Count("pk", filter=due_later_today(now)),
            waiting=Count("pk", filter=Q(status=Case.Status.WAITING_ON_CLIENT)),
        )
        .order_by("assigned_to__username")
    )
    staff, unassigned = [], []
    for row in rows:
        full_name = f"{row['assigned_to__first_name']} {row['assigned_to__last_name']}".strip()
        entry = {
            "user_id": row["assigned_to"],
            "name": full_name or row["assigned_to__username"],
            **{key: row[key] for key in ("open", "overdue", "due_today", "waiting")},
        }
        (staff if row["assigned_to"] else unassigned).append(entry)
    return staff + unassigned


def cases_filed_per_outcome(tree_id: int, since, until):
    """(outcome id, cases filed) for the outcomes of a tree, for cases received in [since, until): the help
    tree's analytics (triage.analytics.FILED_COUNTERS)."""
    return list(
        Case.objects.filter(outcome__tree_id=tree_id, received_at__gte=since, received_at__lt=until)
        .values_list("outcome_id")
        .annotate(total=Count("pk"))
        .order_by()
    )
