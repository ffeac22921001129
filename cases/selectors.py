"""Reads about cases that take more than a filter: the service-standard figures, and the workload:
open cases by age in business days and by assignee."""

from datetime import datetime, time, timedelta

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from helpdesk.calendar import HELPDESK_TZ, designated_holidays, eastern_date, is_business_day
from helpdesk.models import ClosureDay

from .models import Case, Message, overdue


def service_standard(days=30, now=None):
    """Of the cases received in the last `days` days: how many have had a first response, how many
    of those by their target, and how many wait past a target; of the follow-ups received in
    that time and answered, how many by their own target (two queries)."""
    now = now or timezone.now()
    figures = Case.objects.filter(received_at__gte=now - timedelta(days=days)).aggregate(
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


def business_days_elapsed(start, end, closed_days=()):
    """The business days elapsed from the moment `start` to the moment `end`, in whole days: a case's
    age, or how late it is. (The service-standard report counts open hours instead, in fractions of a
    day: cases.reports.business_days_between.)

    Both moments are read in the helpdesk's time zone, and the business days counted are those
    after the day of `start`, up to and including the day of `end`: Monday to Friday, except the
    designated paid holidays and `closed_days` (the closure days staff entered). So a request
    received on a Monday is 0 on that Monday, 1 on Tuesday, and 2 on Wednesday, the day a
    two-day target falls due; one received on Friday evening or on the weekend is 1 on Monday.
    The hour does not count: the day of `end` counts whole from its start. 0 if `end` is not
    after `start`.
    """
    first = eastern_date(start)
    last = eastern_date(end)
    if last <= first:
        return 0
    span = (last - first).days
    # Weekdays among the days first+1 … last: five a week, then those of the remaining days.
    weekdays = span // 7 * 5 + sum(
        (first + timedelta(days=n)).weekday() < 5 for n in range(span // 7 * 7 + 1, span + 1)
    )
    holidays = {
        day
        for year in range(first.year, last.year + 1)
        for day, _name in designated_holidays(year)
        if first < day <= last and day.weekday() < 5
    }
    closed = {day for day in closed_days if first < day <= last and day.weekday() < 5}
    return weekdays - len(holidays | closed)


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
    starts = {}  # k: midnight starting the k-th business day back
    day, k = today, 0
    while k < max(low, (high or 0) + 1):
        if is_business_day(day, closed_days):
            k += 1
            starts[k] = datetime.combine(day, time(0), tzinfo=HELPDESK_TZ)
        day -= timedelta(days=1)
    return (None if high is None else starts[high + 1], starts[low] if low else None)


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


def today_bounds(now=None):
    """The start of today and of tomorrow, in the helpdesk's time zone."""
    today = timezone.localtime(now or timezone.now(), HELPDESK_TZ).date()
    return tuple(datetime.combine(today + timedelta(days=n), time(0), tzinfo=HELPDESK_TZ) for n in (0, 1))


def due_later_today(now=None):
    """Open cases whose next reply is due later today: not overdue yet, and to answer before midnight."""
    now = now or timezone.now()
    return Q(status__in=Case.Status.open_statuses(), reply_due_at__gte=now, reply_due_at__lt=today_bounds(now)[1])


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
