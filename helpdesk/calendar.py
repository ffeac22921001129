"""The helpdesk's calendar: its time zone, its business days, the response target of a request
received at a given time, business time elapsed: whole business days (a case's age) or open
hours (the service-standard report), and the moment some open hours ahead (cases due soon).

A business day is Monday to Friday, except the federal public service's designated paid
holidays (with their observed days) and the closure days staff add. The helpdesk is open
7:00 to 19:00, Eastern time (Toronto): HELPDESK_TZ is the one name of that zone, and `eastern` and
`eastern_date` the one way to read a moment in it.
"""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils import timezone
from holidays.countries.canada import Canada

HELPDESK_TZ = ZoneInfo("America/Toronto")
OPENS = time(7, 0)
CLOSES = time(19, 0)


def eastern(moment: datetime | None) -> datetime | None:
    """The moment in the helpdesk's time zone, whatever the server's; None stays None."""
    return moment.astimezone(HELPDESK_TZ) if moment is not None else None


def eastern_date(moment: datetime | None = None) -> date:
    """The day it is (or was, at `moment`) at the helpdesk: today by default."""
    return (moment or timezone.now()).astimezone(HELPDESK_TZ).date()


# The holidays package's names for each of the site's languages.
HOLIDAY_LANGUAGES = {"en": "en_CA", "fr": "fr"}


class DesignatedHolidays(Canada):
    """The Treasury Board's designated paid holidays of the federal public service.

    The package's "government" category is the federal statutory list: New Year's Day,
    Good Friday, Victoria Day, Canada Day, Labour Day, Truth and Reconciliation,
    Thanksgiving, Remembrance Day, Christmas Day and Boxing Day, with the weekdays they
    are observed on. The public service is also off on Easter Monday and the civic
    holiday; both are Mondays, so neither has an observed day.
    """

    def _populate_government_holidays(self):
        super()._populate_government_holidays()
        # The names the package's own catalogue translates ("Lundi de Pâques", "Congé civique").
        self._add_easter_monday("Easter Monday")
        self._add_holiday_1st_mon_of_aug("Civic Holiday")


@lru_cache(maxsize=len(HOLIDAY_LANGUAGES))
def _designated_holidays(language="en"):
    return DesignatedHolidays(categories=(holidays.GOVERNMENT,), language=HOLIDAY_LANGUAGES[language])


def designated_holidays(year: int, language: str = "en") -> list[tuple[date, str]]:
    """The designated paid holidays of a year, observed days included, in date order, named in the language."""
    calendar = _designated_holidays(language)
    calendar.get(date(year, 1, 1))  # fills in the year
    return sorted((day, name) for day, name in calendar.items() if day.year == year)


def is_business_day(day: date, closed_days: Collection[date] = ()) -> bool:
    return day.weekday() < 5 and day not in _designated_holidays() and day not in closed_days


def is_open(moment: datetime, closed_days: Collection[date] = ()) -> bool:
    """Whether the helpdesk is open at `moment`: a business day, from 7:00 to 19:00 Toronto time."""
    local = eastern(moment)
    return is_business_day(local.date(), closed_days) and OPENS <= local.time() < CLOSES


def next_business_day(day: date, closed_days: Collection[date] = ()) -> date:
    day += timedelta(days=1)
    while not is_business_day(day, closed_days):
        day += timedelta(days=1)
    return day


def response_due(received_at: datetime, business_days: int, closed_days: Collection[date]) -> datetime:
    """When the helpdesk must have answered a request received at `received_at`.

    A request received at 19:00 or later, or on a day that is not a business day, counts
    as received on the next business day. The target is 19:00 Toronto time on the
    `business_days`-th business day after the day of receipt, returned as an aware
    datetime in Toronto time; `received_at` may be in any time zone.

    `closed_days` are the other days the helpdesk is closed: the closure days staff
    entered, which the caller reads (`ClosureDay.dates_from`).
    """
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be an aware datetime")
    if business_days < 0:
        raise ValueError("business_days cannot be negative")
    local = received_at.astimezone(HELPDESK_TZ)
    day = local.date()
    if not is_business_day(day, closed_days) or local.time() >= CLOSES:
        day = next_business_day(day, closed_days)
    for _ in range(business_days):
        day = next_business_day(day, closed_days)
    return datetime.combine(day, CLOSES, tzinfo=HELPDESK_TZ)


def day_bounds(moment: datetime | None = None) -> tuple[datetime, datetime]:
    """The start of the helpdesk's day at `moment` (today by default) and of the next one."""
    day = eastern_date(moment)
    return tuple(datetime.combine(day + timedelta(days=n), time(0), tzinfo=HELPDESK_TZ) for n in (0, 1))


def business_days_back(today: date, count: int, closed_days: Collection[date] = ()) -> list[datetime]:
    """The midnights starting the last `count` business days up to `today` (today first, if it is one)."""
    starts, day = [], today
    while len(starts) < count:
        if is_business_day(day, closed_days):
            starts.append(datetime.combine(day, time(0), tzinfo=HELPDESK_TZ))
        day -= timedelta(days=1)
    return starts


def business_days_elapsed(start, end, closed_days=()):
    """The business days elapsed from the moment `start` to the moment `end`, in whole days: a case's
    age, or how late it is. (The service-standard report counts open hours instead, in fractions of a
    day: business_days_between.)

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


# The helpdesk's open time: the 12 hours from OPENS to CLOSES, in seconds (always 12 real hours:
# clocks change at 2:00).
OPEN_SECONDS_A_DAY = (datetime.combine(date.min, CLOSES) - datetime.combine(date.min, OPENS)).total_seconds()


class BusinessClock:
    """Measures the helpdesk's open time between two moments, remembering which days are business days."""

    def __init__(self, closed_days: Collection[date] = ()):
        self.closed_days = frozenset(closed_days)
        self._open = {}

    def is_open_day(self, day: date) -> bool:
        if day not in self._open:
            self._open[day] = is_business_day(day, self.closed_days)
        return self._open[day]

    def business_days(self, start: datetime, end: datetime) -> float:
        """The open time from `start` to `end`, in business days (0 if `end` is not after `start`)."""
        if start.tzinfo is None or start.utcoffset() is None or end.tzinfo is None or end.utcoffset() is None:
            raise ValueError("start and end must be aware datetimes")
        if end <= start:
            return 0.0
        seconds = 0.0
        day, last = eastern_date(start), eastern_date(end)
        while day <= last:
            if self.is_open_day(day):
                # Opening and closing are always 12 real hours apart: clocks change at 2:00.
                opens = datetime.combine(day, OPENS, tzinfo=HELPDESK_TZ).timestamp()
                closes = datetime.combine(day, CLOSES, tzinfo=HELPDESK_TZ).timestamp()
                seconds += max(0.0, min(closes, end.timestamp()) - max(opens, start.timestamp()))
            day += timedelta(days=1)
        return seconds / OPEN_SECONDS_A_DAY


def business_days_between(start: datetime, end: datetime, closed_days: Collection[date] = ()) -> float:
    """The helpdesk's open time between two aware datetimes, in business days.

    One business day is the 12 open hours, 7:00 to 19:00 Toronto time, of a day that is a
    business day (helpdesk.calendar.is_business_day: not a weekend, a designated holiday
    or one of `closed_days`); time outside them counts nothing. Received Monday 18:00 and
    answered Tuesday 8:00 is 2 open hours: 1/6 of a business day. 0 if `end` is not after `start`.
    """
    return BusinessClock(closed_days).business_days(start, end)


def open_hours_later(moment: datetime, hours: float, closed_days: Collection[date]) -> datetime:
    """The moment `hours` of the helpdesk's open time after `moment`, in Toronto time: what "within
    the next `hours` open hours" reaches, so a case is due soon when now <= its target <= this moment.

    Only the open hours count, 7:00 to 19:00 of business days (is_business_day: not a weekend, a
    designated holiday or one of `closed_days`, the closure days staff entered, which the caller
    reads); evenings, weekends, holidays and closure days count nothing. From Tuesday 17:00, 4 open
    hours reach Wednesday 9:00; from 19:00 on Friday, or any moment of the weekend, 2 reach Monday
    9:00. A count that ends at closing time ends then (19:00), not at the next opening. 0 hours is
    `moment` itself.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("moment must be an aware datetime")
    if hours < 0:
        raise ValueError("hours cannot be negative")
    remaining = timedelta(hours=hours)
    if not remaining:
        return eastern(moment)
    day = eastern_date(moment)
    while True:
        if is_business_day(day, closed_days):
            # Opening and closing are always 12 real hours apart: clocks change at 2:00.
            start = max(datetime.combine(day, OPENS, tzinfo=HELPDESK_TZ), moment)
            closes = datetime.combine(day, CLOSES, tzinfo=HELPDESK_TZ)
            if start < closes:
                open_left = closes.timestamp() - start.timestamp()
                if remaining.total_seconds() <= open_left:
                    return eastern(start + remaining)
                remaining -= timedelta(seconds=open_left)
        day += timedelta(days=1)
