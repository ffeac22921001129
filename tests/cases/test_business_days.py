"""The response target: 19:00 Toronto on the N-th business day after the day of receipt."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.business_days import HELPDESK_TZ, is_business_day, response_due, statutory_holidays
from cases.models import ClosureDay

UTC = ZoneInfo("UTC")


def toronto(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


@pytest.mark.parametrize(
    "received, days, due",
    [
        # The examples of the service standard.
        (toronto(2026, 11, 23, 10, 0), 2, toronto(2026, 11, 25, 19, 0)),
        (toronto(2026, 12, 18, 20, 0), 2, toronto(2026, 12, 23, 19, 0)),
        (toronto(2026, 12, 24, 12, 0), 2, toronto(2026, 12, 30, 19, 0)),
        # Closing time: 18:59 is that day, 19:00 is the next business day.
        (toronto(2026, 11, 23, 18, 59), 2, toronto(2026, 11, 25, 19, 0)),
        (toronto(2026, 11, 23, 19, 0), 2, toronto(2026, 11, 26, 19, 0)),
        # Before opening on a business day still counts as that day.
        (toronto(2026, 11, 23, 6, 0), 2, toronto(2026, 11, 25, 19, 0)),
        # Weekend: counts as received on Monday.
        (toronto(2026, 11, 21, 11, 0), 2, toronto(2026, 11, 25, 19, 0)),
        (toronto(2026, 11, 22, 23, 59), 2, toronto(2026, 11, 25, 19, 0)),
        # Received times given in UTC: 23:30Z is 18:30 in Toronto, 00:30Z the next day is 19:30.
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), 2, toronto(2026, 11, 25, 19, 0)),
        (datetime(2026, 11, 24, 0, 30, tzinfo=UTC), 2, toronto(2026, 11, 26, 19, 0)),
        # Year end: New Year's Day skipped.
        (toronto(2026, 12, 30, 10, 0), 2, toronto(2027, 1, 4, 19, 0)),
        (toronto(2026, 12, 31, 19, 30), 2, toronto(2027, 1, 6, 19, 0)),
        # Observed days: Christmas 2027 is a Saturday, Boxing Day a Sunday: Mon 27 and Tue 28 closed.
        (toronto(2027, 12, 23, 10, 0), 2, toronto(2027, 12, 29, 19, 0)),
        # Remembrance Day and the National Day for Truth and Reconciliation.
        (toronto(2026, 11, 10, 9, 0), 2, toronto(2026, 11, 13, 19, 0)),
        (toronto(2026, 9, 29, 9, 0), 2, toronto(2026, 10, 2, 19, 0)),
        # Victoria Day, Thanksgiving.
        (toronto(2026, 5, 15, 9, 0), 2, toronto(2026, 5, 20, 19, 0)),
        (toronto(2026, 10, 9, 9, 0), 2, toronto(2026, 10, 14, 19, 0)),
        # Good Friday 2027 (March 26); Easter Monday is open unless staff close it.
        (toronto(2027, 3, 25, 10, 0), 2, toronto(2027, 3, 30, 19, 0)),
        # Financial account: 15 business days.
        (toronto(2026, 11, 23, 10, 0), 15, toronto(2026, 12, 14, 19, 0)),
        (toronto(2026, 12, 10, 10, 0), 15, toronto(2027, 1, 5, 19, 0)),
    ],
)
def test_response_due(received, days, due):
    """The target for each received time and response class."""
    result = response_due(received, days, closed_days=())
    assert result == due
    assert result.tzinfo is not None


@pytest.mark.parametrize(
    "received, due_utc",
    [
        # Daylight saving ends Sunday 2026-11-01: the target moves from 23:00Z to 00:00Z.
        (toronto(2026, 10, 28, 12, 0), datetime(2026, 10, 30, 23, 0, tzinfo=UTC)),
        (toronto(2026, 10, 29, 12, 0), datetime(2026, 11, 3, 0, 0, tzinfo=UTC)),
        (toronto(2026, 10, 30, 12, 0), datetime(2026, 11, 4, 0, 0, tzinfo=UTC)),
        # Daylight saving starts Sunday 2027-03-14: the target moves from 00:00Z to 23:00Z.
        (toronto(2027, 3, 11, 12, 0), datetime(2027, 3, 15, 23, 0, tzinfo=UTC)),
        (toronto(2027, 3, 12, 12, 0), datetime(2027, 3, 16, 23, 0, tzinfo=UTC)),
    ],
)
def test_daylight_saving_changes(received, due_utc):
    """19:00 Toronto is 23:00 UTC in summer and 00:00 UTC in winter."""
    assert response_due(received, 2, closed_days=()) == due_utc


def test_closure_days_are_skipped():
    """A closure day staff add (Easter Monday) is not a business day."""
    easter_monday = date(2027, 3, 29)
    assert response_due(toronto(2027, 3, 25, 10, 0), 2, closed_days={easter_monday}) == toronto(2027, 3, 31, 19, 0)


def test_received_on_a_closure_day_counts_from_the_next():
    """A request received on a closure day counts as received on the next business day."""
    assert response_due(toronto(2027, 3, 29, 10, 0), 2, closed_days={date(2027, 3, 29)}) == toronto(2027, 4, 1, 19, 0)


def test_closure_days_read_from_the_database(db):
    """Without closed_days given, the closure days staff entered are used."""
    ClosureDay.objects.create(date=date(2027, 3, 29), reason_en="Easter Monday", reason_fr="Lundi de Pâques")
    assert response_due(toronto(2027, 3, 25, 10, 0), 2) == toronto(2027, 3, 31, 19, 0)


def test_zero_days_is_the_end_of_the_day_of_receipt():
    assert response_due(toronto(2026, 11, 23, 10, 0), 0, closed_days=()) == toronto(2026, 11, 23, 19, 0)


def test_naive_datetime_refused():
    """A time without a time zone is ambiguous and refused."""
    with pytest.raises(ValueError, match="aware"):
        response_due(datetime(2026, 11, 23, 10, 0), 2, closed_days=())


def test_statutory_holidays_are_the_federal_list():
    """The ten federal statutory holidays of 2026, with Boxing Day observed on Monday the 28th."""
    names = [name for _day, name in statutory_holidays(2026)]
    assert len(names) == 11
    assert "Easter Monday" not in names and "Civic Holiday" not in names
    assert not is_business_day(date(2026, 12, 28))
    assert is_business_day(date(2026, 12, 29))
