"""The helpdesk's calendar: its time zone, its business days, and the response target of a request
received at a given time.

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
