"""The service-standard report: how fast the helpdesk answered, month by month or week by week.

Every figure follows the rule of the response targets themselves (helpdesk.calendar): the
helpdesk's time is its open hours, 7:00 to 19:00 Toronto time on business days, and a
business day is those 12 open hours. A case belongs to the month (or ISO week, Monday to
Sunday) of the date it was received, in Toronto time; a follow-up to that of the date it
arrived; a client's answer to "Did we resolve your request?" to that of the date it was given (the
last answer a case had). Anonymised cases count like the others: their dates stay. A case merged
into another (cases.merging) is not a case received: its request and messages count as the other's
follow-ups, and the pair's last answer as the other's (cases.reports.answers).

Each report reads four queries, whatever the number of cases: the few columns it needs of
every case received in the period (one query), of every follow-up received in it and of every
answer given in it (one query each, joined to its case for the class, and for an answer its team:
cases.reports.answers), and the closure days.
The figures are then counted in Python, which stays quick up to about 100,000 cases in a period
(a few seconds); past that, count in the database and keep the durations for a sample.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from helpdesk.calendar import HELPDESK_TZ, BusinessClock, eastern, eastern_date
from helpdesk.models import ClosureDay, ResponseClass

from ..models import Case, Message
from .answers import Answers, count_answers, percent_rounded_down

MONTH, WEEK = "month", "week"


def target_percent() -> int:
    """The share of cases the helpdesk means to answer by their target, in percent."""
    return getattr(settings, "SERVICE_STANDARD_TARGET_PERCENT", 90)


def median(values):
    """The middle value; the mean of the two middle ones when their number is even; None if there are none."""
    return statistics.median(values) if values else None


def percentile_90(values):
    """The smallest value that at least 90% of the values do not exceed (nearest rank); None if there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Figures:
    """One response class's figures for one period."""

    received: int = 0
    on_time: int = 0  # first response by the target
    late: int = 0  # first response after the target
    open_overdue: int = 0  # open, no response, past the target
    open_within: int = 0  # open, no response, target not reached yet
    closed_unanswered: int = 0  # resolved or closed with no response recorded
    response_days: list[float] = field(default_factory=list, repr=False)
    follow_ups: int = 0
    follow_ups_answered: int = 0
    follow_ups_on_time: int = 0
    follow_up_days: list[float] = field(default_factory=list, repr=False)
    answers: Answers = field(default_factory=Answers)

    @property
    def answered(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> float | None:
        """The share of the answered cases answered by their target, rounded down to one decimal."""
        return percent_rounded_down(self.on_time, self.answered)

    def target_met(self, target: int | None = None) -> bool | None:
        """Whether at least `target` percent of the answered cases were answered on time; None if none was."""
        if not self.answered:
            return None
        target = target_percent() if target is None else target
        return self.on_time * 100 >= target * self.answered

    @property
    def median_days(self):
        return median(self.response_days)

    @property
    def p90_days(self):
        return percentile_90(self.response_days)

    @property
    def follow_ups_late(self) -> int:
        return self.follow_ups_answered - self.follow_ups_on_time

    @property
    def follow_up_median_days(self):
        return median(self.follow_up_days)

    @property
    def follow_up_p90_days(self):
        return percentile_90(self.follow_up_days)


@dataclass
class Period:
    """A month or an ISO week: its first and last dates, and each response class's figures."""

    kind: str  # MONTH or WEEK
    first: date
    last: date
    complete: bool  # it had ended by the time of the report
    classes: dict[str, Figures]
    # Each team's answers to "Did we resolve your request?", by the team's id (None: cases with no team).
    teams: dict[int | None, Answers] = field(default_factory=dict)

    @property
    def answers(self) -> Answers:
        """The answers to "Did we resolve your request?" of every class together."""
        return sum((figures.answers for figures in self.classes.values()), Answers())

    @property
    def iso_week(self) -> str:
        year, week, _day = self.first.isocalendar()
        return f"{year}-W{week:02d}"


def monthly(period_start, months=12, now=None) -> list[Period]:
    """The figures of `months` calendar months (Toronto time), the first the month of `period_start`.

    `period_start` is a date, or an aware datetime taken in Toronto time; `now` decides which
    unanswered cases are past their target (the current time if not given).
    """
    first = _local_date(period_start).replace(day=1)
    starts = [_add_months(first, n) for n in range(months + 1)]
    return _report(MONTH, starts, now)


def weekly(period_start, weeks=12, now=None) -> list[Period]:
    """The figures of `weeks` ISO weeks (Monday to Sunday, Toronto time), the first the week of `period_start`."""
    day = _local_date(period_start)
    monday = day - timedelta(days=day.weekday())
    starts = [monday + timedelta(weeks=n) for n in range(weeks + 1)]
    return _report(WEEK, starts, now)


def _local_date(value) -> date:
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            raise ValueError("period_start must be a date or an aware datetime")
        return eastern_date(value)
    return value


def _add_months(first: date, n: int) -> date:
    months = first.month - 1 + n
    return date(first.year + months // 12, months % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=HELPDESK_TZ)


def _report(kind, starts, now) -> list[Period]:
    """Periods from consecutive first days `starts` (the last one ends the report)."""
    now = now or timezone.now()
    begin, end = _midnight(starts[0]), _midnight(starts[-1])
    classes = ResponseClass.values
    periods = [
        Period(
            kind=kind,
            first=first,
            last=following - timedelta(days=1),
            complete=_midnight(following) <= now,
            classes={value: Figures() for value in classes},
        )
        for first, following in zip(starts, starts[1:], strict=False)
    ]
    if kind == MONTH:
        index = {(p.first.year, p.first.month): i for i, p in enumerate(periods)}

        def period_of(moment):
            local = eastern(moment)
            return periods[index[local.year, local.month]]
    else:

        def period_of(moment):
            return periods[(eastern_date(moment) - starts[0]).days // 7]

    clock = BusinessClock(ClosureDay.dates_from(starts[0]))
    open_statuses = set(Case.Status.open_statuses())

    # A merged case is counted once, as the case that continues it: its request is one of that case's
    # client messages (cases.merging).
    cases = Case.objects.filter(received_at__gte=begin, received_at__lt=end, merged_into__isnull=True).values_list(
        "received_at", "response_class", "due_at", "first_response_at", "status"
    )
    for received_at, response_class, due_at, first_response_at, status in cases.order_by():
        figures = period_of(received_at).classes.get(response_class)
        if figures is None:  # a class no longer offered: not part of the report
            continue
        figures.received += 1
        if first_response_at is not None:
            if first_response_at <= due_at:
                figures.on_time += 1
            else:
                figures.late += 1
            figures.response_days.append(clock.business_days(received_at, first_response_at))
        elif status not in open_statuses:
            figures.closed_unanswered += 1
        elif due_at < now:
            figures.open_overdue += 1
        else:
            figures.open_within += 1

    follow_ups = Message.objects.filter(
        kind=Message.Kind.FOLLOW_UP, created_at__gte=begin, created_at__lt=end
    ).values_list("created_at", "due_at", "answered_at", "case__response_class")
    for created_at, due_at, answered_at, response_class in follow_ups.order_by():
        figures = period_of(created_at).classes.get(response_class)
        if figures is None:
            continue
        figures.follow_ups += 1
        if answered_at is not None:
            figures.follow_ups_answered += 1
            if due_at is not None and answered_at <= due_at:
                figures.follow_ups_on_time += 1
            figures.follow_up_days.append(clock.business_days(created_at, answered_at))

    count_answers(periods, period_of, begin, end)
    return periods
