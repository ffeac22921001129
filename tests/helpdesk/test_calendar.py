"""The response target: 19:00 Toronto on the N-th business day after the day of receipt."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk.calendar import HELPDESK_TZ, designated_holidays, is_business_day, open_hours_later, response_due
from helpdesk.models import ClosureDay

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
        # Good Friday 2027 (March 26) and Easter Monday (March 29).
        (toronto(2027, 3, 25, 10, 0), 2, toronto(2027, 3, 31, 19, 0)),
        (toronto(2027, 3, 29, 10, 0), 2, toronto(2027, 4, 1, 19, 0)),
        # Good Friday 2026 (April 3) and Easter Monday (April 6).
        (toronto(2026, 4, 2, 10, 0), 2, toronto(2026, 4, 8, 19, 0)),
        (toronto(2026, 4, 6, 10, 0), 2, toronto(2026, 4, 9, 19, 0)),
        # Civic holiday: the first Monday of August (2026-08-03, 2028-08-07).
        (toronto(2026, 7, 31, 10, 0), 2, toronto(2026, 8, 5, 19, 0)),
        (toronto(2026, 8, 3, 10, 0), 2, toronto(2026, 8, 6, 19, 0)),
        (toronto(2028, 8, 4, 10, 0), 2, toronto(2028, 8, 9, 19, 0)),
        # The civic holiday is the first Monday even when August starts on a Monday: 2033-08-01.
        (toronto(2033, 7, 29, 10, 0), 2, toronto(2033, 8, 3, 19, 0)),
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
    """A closure day staff add (a storm closing the office) is not a business day."""
    storm = date(2027, 2, 10)
    assert response_due(toronto(2027, 2, 9, 10, 0), 2, closed_days={storm}) == toronto(2027, 2, 12, 19, 0)


def test_received_on_a_closure_day_counts_from_the_next():
    """A request received on a closure day counts as received on the next business day."""
    assert response_due(toronto(2027, 2, 10, 10, 0), 2, closed_days={date(2027, 2, 10)}) == toronto(2027, 2, 15, 19, 0)


def test_closed_days_are_required():
    """The rule reads nothing itself: the caller says which days staff closed."""
    with pytest.raises(TypeError):
        response_due(toronto(2027, 2, 9, 10, 0), 2)


def test_filed_case_skips_the_closure_days_staff_entered(make_case):
    """A case filed through the service gets a target that skips the closure days in the database."""
    ClosureDay.objects.create(date=date(2027, 2, 10), reason_en="Storm", reason_fr="Tempête")
    case = make_case(received_at=toronto(2027, 2, 9, 10, 0))
    assert case.due_at == toronto(2027, 2, 12, 19, 0)


def test_zero_days_is_the_end_of_the_day_of_receipt():
    assert response_due(toronto(2026, 11, 23, 10, 0), 0, closed_days=()) == toronto(2026, 11, 23, 19, 0)


def test_naive_datetime_refused():
    """A time without a time zone is ambiguous and refused."""
    with pytest.raises(ValueError, match="aware"):
        response_due(datetime(2026, 11, 23, 10, 0), 2, closed_days=())


def test_designated_holidays_of_2026():
    """The ten federal statutory holidays, Easter Monday and the civic holiday; Boxing Day observed on the 28th."""
    assert designated_holidays(2026) == [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 4, 3), "Good Friday"),
        (date(2026, 4, 6), "Easter Monday"),
        (date(2026, 5, 18), "Victoria Day"),
        (date(2026, 7, 1), "Canada Day"),
        (date(2026, 8, 3), "Civic Holiday"),
        (date(2026, 9, 7), "Labour Day"),
        (date(2026, 9, 30), "National Day for Truth and Reconciliation"),
        (date(2026, 10, 12), "Thanksgiving Day"),
        (date(2026, 11, 11), "Remembrance Day"),
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Boxing Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
    ]
    assert not is_business_day(date(2026, 12, 28))
    assert is_business_day(date(2026, 12, 29))


@pytest.mark.parametrize(
    "day",
    [date(2026, 4, 6), date(2027, 3, 29), date(2028, 4, 17), date(2026, 8, 3), date(2027, 8, 2), date(2028, 8, 7)],
)
def test_easter_monday_and_the_civic_holiday_are_closed(day):
    """Easter Monday and the first Monday of August are not business days; the next day is."""
    assert not is_business_day(day)
    assert is_business_day(day + timedelta(days=1))


def test_designated_holidays_in_french():
    """The holidays are named in French for the French pages."""
    names = dict(designated_holidays(2027, "fr"))
    assert names[date(2027, 3, 29)] == "Lundi de Pâques"
    assert names[date(2027, 8, 2)] == "Congé civique"
    assert names[date(2027, 3, 26)] == "Vendredi saint"
    assert "Easter Monday" not in names.values()


# Open hours ahead: the moment a number of the helpdesk's open hours after another (the "due soon" horizon).


@pytest.mark.parametrize(
    "start, hours, end",
    [
        # Within a day, open hours are clock hours; closing time itself is still that day.
        (toronto(2026, 11, 24, 10, 0), 4, toronto(2026, 11, 24, 14, 0)),
        (toronto(2026, 11, 24, 15, 0), 4, toronto(2026, 11, 24, 19, 0)),
        # Evenings count nothing: 2 hours on Tuesday, 2 on Wednesday from 7:00.
        (toronto(2026, 11, 24, 17, 0), 4, toronto(2026, 11, 25, 9, 0)),
        (toronto(2026, 11, 24, 22, 30), 4, toronto(2026, 11, 25, 11, 0)),
        # Before opening the count starts at 7:00.
        (toronto(2026, 11, 23, 5, 0), 2, toronto(2026, 11, 23, 9, 0)),
        # The weekend counts nothing: a target at 9:00 Monday is 2 open hours from 7:00 Monday, from
        # closing time on Friday, and from any moment of the weekend between.
        (toronto(2026, 11, 23, 7, 0), 2, toronto(2026, 11, 23, 9, 0)),
        (toronto(2026, 11, 20, 19, 0), 2, toronto(2026, 11, 23, 9, 0)),
        (toronto(2026, 11, 22, 12, 0), 2, toronto(2026, 11, 23, 9, 0)),
        (toronto(2026, 11, 20, 18, 0), 2, toronto(2026, 11, 23, 8, 0)),
        # More hours than a day holds run on into the next business days.
        (toronto(2026, 11, 24, 15, 0), 16, toronto(2026, 11, 25, 19, 0)),
        (toronto(2026, 11, 24, 15, 0), 26, toronto(2026, 11, 26, 17, 0)),
        # Christmas Day (Friday 2026-12-25) and Boxing Day, observed Monday the 28th, are closed.
        (toronto(2026, 12, 24, 17, 0), 4, toronto(2026, 12, 29, 9, 0)),
        # Remembrance Day (Wednesday 2026-11-11).
        (toronto(2026, 11, 10, 18, 0), 3, toronto(2026, 11, 12, 9, 0)),
        # Clocks go forward (Sunday 2026-03-08) and back (Sunday 2026-11-01) over the weekend: still
        # 9:00 on Monday, one real hour less or more after Friday 17:00.
        (toronto(2026, 3, 6, 17, 0), 4, toronto(2026, 3, 9, 9, 0)),
        (toronto(2026, 10, 30, 17, 0), 4, toronto(2026, 11, 2, 9, 0)),
        # A moment given in UTC: 21:00Z on Tuesday 2026-11-24 is 16:00 in Toronto.
        (datetime(2026, 11, 24, 21, 0, tzinfo=UTC), 4, toronto(2026, 11, 25, 8, 0)),
        # No hours: the moment itself, open or not.
        (toronto(2026, 11, 22, 12, 0), 0, toronto(2026, 11, 22, 12, 0)),
    ],
)
def test_open_hours_later(start, hours, end):
    result = open_hours_later(start, hours, closed_days=())
    assert result == end
    assert result.tzinfo is not None


def test_open_hours_later_counts_real_hours_over_a_clock_change():
    """Friday 17:00 EST to Monday 9:00 EDT: 2 open hours each day, 63 real hours between."""
    end = open_hours_later(toronto(2026, 3, 6, 17, 0), 4, closed_days=())
    assert end.astimezone(UTC) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert end.astimezone(UTC) - toronto(2026, 3, 6, 17, 0).astimezone(UTC) == timedelta(hours=63)


def test_open_hours_later_skips_closure_days():
    storm = date(2027, 2, 10)
    assert open_hours_later(toronto(2027, 2, 9, 18, 0), 3, closed_days={storm}) == toronto(2027, 2, 11, 9, 0)
    assert open_hours_later(toronto(2027, 2, 10, 12, 0), 1, closed_days={storm}) == toronto(2027, 2, 11, 8, 0)


def test_open_hours_later_refuses_naive_moments_and_negative_hours():
    with pytest.raises(ValueError, match="aware"):
        open_hours_later(datetime(2026, 11, 23, 10, 0), 2, closed_days=())
    with pytest.raises(ValueError, match="negative"):
        open_hours_later(toronto(2026, 11, 23, 10, 0), -1, closed_days=())
