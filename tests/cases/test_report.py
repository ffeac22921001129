"""The service-standard report: business days elapsed, the monthly and weekly figures, the page,
its charts and CSV files, counted by hand from cases with exact times."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.conversation.services import target_for
from cases.intake.references import new_reference
from cases.models import Case, Message
from cases.reports.service_standard import median, monthly, percentile_90, weekly
from helpdesk.calendar import HELPDESK_TZ, business_days_between
from helpdesk.models import ClosureDay, Topic
from tests.conftest import make_staff, sign_in_staff

UTC = ZoneInfo("UTC")
REPORT = reverse("service_standard_report")
# Monday 15 February 2027, noon in Toronto: the moment the figures are read.
NOW = datetime(2027, 2, 15, 12, 0, tzinfo=HELPDESK_TZ)


def toronto(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


# business_days_between: 12 open hours (7:00 to 19:00 Toronto) make one business day.


@pytest.mark.parametrize(
    "start, end, closed, expected",
    [
        # The example of the docstring: Monday 18:00 to Tuesday 8:00 is 1 + 1 open hours.
        (toronto(2026, 11, 23, 18, 0), toronto(2026, 11, 24, 8, 0), (), 2 / 12),
        # Within one day, and whole days.
        (toronto(2026, 11, 23, 9, 0), toronto(2026, 11, 23, 15, 0), (), 6 / 12),
        (toronto(2026, 11, 23, 7, 0), toronto(2026, 11, 24, 19, 0), (), 2.0),
        # Outside opening hours nothing counts: before 7:00, after 19:00, overnight.
        (toronto(2026, 11, 23, 5, 0), toronto(2026, 11, 23, 6, 59), (), 0.0),
        (toronto(2026, 11, 23, 19, 30), toronto(2026, 11, 24, 7, 0), (), 0.0),
        (toronto(2026, 11, 23, 6, 0), toronto(2026, 11, 23, 20, 0), (), 1.0),
        # A weekend: Friday 18:00 to Monday 9:00 is 1 + 2 open hours.
        (toronto(2026, 11, 20, 18, 0), toronto(2026, 11, 23, 9, 0), (), 3 / 12),
        # Friday 7:00 to Monday 19:00: two business days, the weekend counts nothing.
        (toronto(2026, 11, 20, 7, 0), toronto(2026, 11, 23, 19, 0), (), 2.0),
        # Received on a Saturday: the clock starts on Monday at 7:00.
        (toronto(2026, 11, 21, 11, 0), toronto(2026, 11, 23, 10, 0), (), 3 / 12),
        # Christmas 2026 (Friday), the weekend and Boxing Day observed on Monday 28:
        # Thursday 24 17:00 to Tuesday 29 10:00 is 2 + 3 open hours.
        (toronto(2026, 12, 24, 17, 0), toronto(2026, 12, 29, 10, 0), (), 5 / 12),
        # Christmas 2027 is a Saturday, Boxing Day a Sunday: both observed, Monday 27 and Tuesday 28.
        (toronto(2027, 12, 24, 18, 0), toronto(2027, 12, 29, 8, 0), (), 2 / 12),
        # A closure day staff added (Wednesday 16 December 2026) counts nothing; without it, 12 hours more.
        (toronto(2026, 12, 15, 14, 0), toronto(2026, 12, 17, 10, 0), {date(2026, 12, 16)}, 8 / 12),
        (toronto(2026, 12, 15, 14, 0), toronto(2026, 12, 17, 10, 0), (), 20 / 12),
        # Month end: Friday 29 January 2027 12:00 to Monday 1 February 12:00 is 7 + 5 open hours.
        (toronto(2027, 1, 29, 12, 0), toronto(2027, 2, 1, 12, 0), (), 1.0),
        # Year end: 31 December 2026 18:00, then New Year's Day and the weekend, to Monday 4 January 7:00.
        (toronto(2026, 12, 31, 18, 0), toronto(2027, 1, 4, 7, 0), (), 1 / 12),
        # Clocks go forward on Sunday 8 March 2026: Friday 18:00 EST to Monday 7:30 EDT is 1.5 open hours.
        (toronto(2026, 3, 6, 18, 0), toronto(2026, 3, 9, 7, 30), (), 1.5 / 12),
        # Clocks go back on Sunday 1 November 2026: Friday 18:00 EDT to Monday 8:00 EST is 2 open hours.
        (toronto(2026, 10, 30, 18, 0), toronto(2026, 11, 2, 8, 0), (), 2 / 12),
        # The same moments given in UTC: 23:00Z is 18:00 EST, 13:00Z on Monday is 8:00 EST.
        (datetime(2026, 10, 30, 22, 0, tzinfo=UTC), datetime(2026, 11, 2, 13, 0, tzinfo=UTC), (), 2 / 12),
        # A week across the change: five whole business days.
        (toronto(2026, 3, 2, 7, 0), toronto(2026, 3, 9, 7, 0), (), 5.0),
        # An end before the start counts nothing.
        (toronto(2026, 11, 24, 8, 0), toronto(2026, 11, 23, 18, 0), (), 0.0),
    ],
)
def test_business_days_between(start, end, closed, expected):
    assert business_days_between(start, end, closed) == pytest.approx(expected)


def test_business_days_between_wants_aware_datetimes():
    with pytest.raises(ValueError, match="aware"):
        business_days_between(datetime(2026, 11, 23, 9, 0), toronto(2026, 11, 23, 10, 0), ())


def test_median_and_90th_percentile():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([]) is None
    # Nearest rank: the smallest value that at least 90% of the values do not exceed.
    assert percentile_90(list(range(1, 11))) == 9
    assert percentile_90(list(range(1, 12))) == 10
    assert percentile_90([5, 1]) == 5
    assert percentile_90([7]) == 7
    assert percentile_90([]) is None


# The hand-computed fixture. Standard: 2 business days; financial account: 15.


def file_case(make_case, received_at, response_class="standard", *, answered_at=None, **fields):
    """A case filed through the service (which sets its target), then given its first response."""
    case = make_case(topic="rm-account" if response_class == "financial" else "portal-access", received_at=received_at)
    changes = {"first_response_at": answered_at, **fields}
    if answered_at is not None:
        changes.setdefault("status", Case.Status.WAITING_ON_CLIENT)
        changes["reply_due_at"] = None
    Case.objects.filter(pk=case.pk).update(**changes)
    case.refresh_from_db()
    return case


def follow_up(case, created_at, answered_at=None):
    return Message.objects.create(
        case=case,
        kind=Message.Kind.FOLLOW_UP,
        created_at=created_at,
        language="en",
        body="And also…",
        due_at=target_for(case, created_at),
        answered_at=answered_at,
    )


@pytest.fixture
def cases(make_case):
    ClosureDay.objects.create(date=date(2026, 12, 16), reason_en="Storm", reason_fr="Tempête")
    made = {
        # December 2026, standard.
        # Thursday 24 December 17:00: Christmas (Friday), the weekend and Boxing Day observed (Monday 28)
        # are skipped: the 2nd business day is Wednesday 30. Answered Tuesday 29 at 10:00: 2 + 3 open hours.
        "holiday": file_case(make_case, toronto(2026, 12, 24, 17, 0), answered_at=toronto(2026, 12, 29, 10, 0)),
        # Wednesday 30 December 10:00: Thursday 31 is the 1st business day, New Year's Day and the weekend
        # are skipped, Monday 4 January the 2nd. Answered late, Tuesday 5 January 9:00:
        # 9 + 12 + 12 + 2 = 35 open hours.
        "late": file_case(make_case, toronto(2026, 12, 30, 10, 0), answered_at=toronto(2027, 1, 5, 9, 0)),
        # Monday 7 December 18:00, answered Tuesday 8:00: 2 open hours; due Wednesday 9.
        "evening": file_case(make_case, toronto(2026, 12, 7, 18, 0), answered_at=toronto(2026, 12, 8, 8, 0)),
        # Friday 11 December 9:00, answered Monday 14 at 12:00: 10 + 5 open hours; due Tuesday 15.
        # Its personal data have since been removed: it still counts.
        "anonymised": file_case(
            make_case,
            toronto(2026, 12, 11, 9, 0),
            answered_at=toronto(2026, 12, 14, 12, 0),
            status=Case.Status.CLOSED,
            anonymised_at=toronto(2027, 1, 20, 3, 0),
            full_name="",
            email="",
            description="",
        ),
        # Tuesday 15 December 14:00, with Wednesday 16 a closure day: due Friday 18.
        # Answered Friday 18:00: 5 + 12 + 11 = 28 open hours.
        "closure": file_case(make_case, toronto(2026, 12, 15, 14, 0), answered_at=toronto(2026, 12, 18, 18, 0)),
        # Saturday 19 December 11:00 counts from Monday 21: due Wednesday 23. Answered Monday 7:30: 0.5 hours.
        "weekend": file_case(make_case, toronto(2026, 12, 19, 11, 0), answered_at=toronto(2026, 12, 21, 7, 30)),
        # January 2027, standard.
        # Saturday 30 January (month end) counts from Monday 1 February: due Wednesday 3 February.
        # Answered Tuesday 2 February 10:00: 12 + 3 = 15 open hours. It counts in January.
        "month end": file_case(make_case, toronto(2027, 1, 30, 10, 0), answered_at=toronto(2027, 2, 2, 10, 0)),
        # Tuesday 12 January, resolved with no response recorded.
        "unanswered": file_case(make_case, toronto(2027, 1, 12, 10, 0), status=Case.Status.RESOLVED, reply_due_at=None),
        # January 2027, financial account.
        # Tuesday 5 January 10:00: 15 business days, Wednesday 6 to Tuesday 26 January. Answered late,
        # Wednesday 27 at 8:00: 9 + 15 × 12 + 1 = 190 open hours.
        "financial late": file_case(
            make_case, toronto(2027, 1, 5, 10, 0), "financial", answered_at=toronto(2027, 1, 27, 8, 0)
        ),
        # Monday 18 January 7:00, answered 13:00: 6 open hours.
        "financial": file_case(
            make_case, toronto(2027, 1, 18, 7, 0), "financial", answered_at=toronto(2027, 1, 18, 13, 0)
        ),
        # February 2027 (so far).
        # Tuesday 9 February 10:00, due Thursday 11: past its target at NOW, unanswered.
        "overdue": file_case(make_case, toronto(2027, 2, 9, 10, 0)),
        # Financial, Monday 8 February 10:00: due Monday 1 March, not yet reached.
        "waiting": file_case(make_case, toronto(2027, 2, 8, 10, 0), "financial"),
        # Outside the report: received the month before it.
        "before": file_case(make_case, toronto(2026, 2, 27, 10, 0), answered_at=toronto(2026, 2, 27, 11, 0)),
    }
    # Follow-ups. Thursday 31 December 12:00, on the holiday case: due Tuesday 5 January 19:00
    # (Monday 4 is the 1st business day). Answered Monday 4 at 8:00: 7 + 1 = 8 open hours.
    made["follow-up on time"] = follow_up(made["holiday"], toronto(2026, 12, 31, 12, 0), toronto(2027, 1, 4, 8, 0))
    # Monday 11 January 9:00, due Wednesday 13; answered late, Thursday 14 9:00: 10 + 12 + 12 + 2 = 36 hours.
    made["follow-up late"] = follow_up(made["evening"], toronto(2027, 1, 11, 9, 0), toronto(2027, 1, 14, 9, 0))
    # Wednesday 10 February 10:00, not answered yet.
    made["follow-up waiting"] = follow_up(made["month end"], toronto(2027, 2, 10, 10, 0))
    return made


def test_the_targets_of_the_fixture(cases):
    """The targets the service set are those worked out by hand."""
    due = {name: case.due_at for name, case in cases.items()}
    assert due["holiday"] == toronto(2026, 12, 30, 19, 0)
    assert due["late"] == toronto(2027, 1, 4, 19, 0)
    assert due["evening"] == toronto(2026, 12, 9, 19, 0)
    assert due["anonymised"] == toronto(2026, 12, 15, 19, 0)
    assert due["closure"] == toronto(2026, 12, 18, 19, 0)
    assert due["weekend"] == toronto(2026, 12, 23, 19, 0)
    assert due["month end"] == toronto(2027, 2, 3, 19, 0)
    assert due["financial late"] == toronto(2027, 1, 26, 19, 0)
    assert due["overdue"] == toronto(2027, 2, 11, 19, 0)
    assert due["waiting"] == toronto(2027, 3, 1, 19, 0)
    assert due["follow-up on time"] == toronto(2027, 1, 5, 19, 0)
    assert due["follow-up late"] == toronto(2027, 1, 13, 19, 0)
    closed = {date(2026, 12, 16)}
    elapsed = {
        name: business_days_between(case.received_at, case.first_response_at, closed)
        for name, case in cases.items()
        if isinstance(case, Case) and case.first_response_at
    }
    assert elapsed["holiday"] == pytest.approx(5 / 12)
    assert elapsed["late"] == pytest.approx(35 / 12)
    assert elapsed["closure"] == pytest.approx(28 / 12)
    assert elapsed["financial late"] == pytest.approx(190 / 12)


# The figures worked out by hand: December 2026, January 2027 and February 2027 (so far).
DECEMBER_STANDARD_DAYS = sorted([5 / 12, 35 / 12, 2 / 12, 15 / 12, 28 / 12, 0.5 / 12])


def test_monthly_figures(cases):
    periods = monthly(date(2026, 3, 1), months=12, now=NOW)
    assert [p.first for p in periods] == [date(2026, m, 1) for m in range(3, 13)] + [date(2027, 1, 1), date(2027, 2, 1)]
    assert periods[-1].last == date(2027, 2, 28)
    assert [p.complete for p in periods] == [True] * 11 + [False]
    by_month = {p.first: p.classes for p in periods}

    december = by_month[date(2026, 12, 1)]["standard"]
    assert (december.received, december.on_time, december.late) == (6, 5, 1)
    assert (december.open_overdue, december.open_within, december.closed_unanswered) == (0, 0, 0)
    assert december.on_time_percent == 83.3  # 5 of 6, rounded down
    assert december.target_met(90) is False
    assert december.target_met(80) is True
    # Sorted: 0.04, 0.17, 0.42, 1.25, 2.33, 2.92 business days.
    assert december.median_days == pytest.approx((5 / 12 + 15 / 12) / 2)
    assert december.p90_days == pytest.approx(35 / 12)
    # One follow-up in December, answered on time after 8 open hours.
    assert (december.follow_ups, december.follow_ups_answered, december.follow_ups_on_time) == (1, 1, 1)
    assert december.follow_up_median_days == pytest.approx(8 / 12)
    assert december.follow_up_p90_days == pytest.approx(8 / 12)
    assert by_month[date(2026, 12, 1)]["financial"].received == 0

    january = by_month[date(2027, 1, 1)]["standard"]
    assert (january.received, january.on_time, january.late, january.closed_unanswered) == (2, 1, 0, 1)
    assert january.on_time_percent == 100.0
    assert january.target_met(90) is True
    assert january.median_days == pytest.approx(15 / 12)
    assert january.p90_days == pytest.approx(15 / 12)
    assert (january.follow_ups, january.follow_ups_answered, january.follow_ups_on_time) == (1, 1, 0)
    assert january.follow_up_median_days == pytest.approx(36 / 12)

    financial = by_month[date(2027, 1, 1)]["financial"]
    assert (financial.received, financial.on_time, financial.late) == (2, 1, 1)
    assert financial.on_time_percent == 50.0
    assert financial.target_met(90) is False
    assert financial.median_days == pytest.approx((6 / 12 + 190 / 12) / 2)
    assert financial.p90_days == pytest.approx(190 / 12)

    february = by_month[date(2027, 2, 1)]
    assert (february["standard"].received, february["standard"].open_overdue, february["standard"].open_within) == (
        1,
        1,
        0,
    )
    assert (february["financial"].received, february["financial"].open_overdue) == (1, 0)
    assert february["financial"].open_within == 1
    assert february["standard"].on_time_percent is None
    assert february["standard"].target_met(90) is None
    assert february["standard"].median_days is None
    assert (february["standard"].follow_ups, february["standard"].follow_ups_answered) == (1, 0)

    # The case of February 2026 is before the report; March to November 2026 are empty.
    assert sum(p.classes[c].received for p in periods for c in ("standard", "financial")) == 12
    assert by_month[date(2026, 3, 1)]["standard"].received == 0


def test_a_later_now_makes_waiting_cases_overdue(cases):
    later = toronto(2027, 3, 2, 9, 0)
    february = monthly(date(2027, 2, 1), months=1, now=later)[0]
    assert february.complete
    assert (february.classes["financial"].open_overdue, february.classes["financial"].open_within) == (1, 0)


def test_weekly_figures(cases):
    # Week 52 of 2026 (Monday 21 to Sunday 27 December) and week 53 (28 December to 3 January).
    periods = weekly(date(2026, 12, 23), weeks=2, now=NOW)
    assert [(p.first, p.last, p.iso_week) for p in periods] == [
        (date(2026, 12, 21), date(2026, 12, 27), "2026-W52"),
        (date(2026, 12, 28), date(2027, 1, 3), "2026-W53"),
    ]
    first, second = (p.classes["standard"] for p in periods)
    # The weekend case was received on Saturday 19 December: the week before.
    assert (first.received, first.on_time, first.late, first.on_time_percent) == (1, 1, 0, 100.0)
    assert first.median_days == pytest.approx(5 / 12)
    assert (second.received, second.on_time, second.late, second.on_time_percent) == (1, 0, 1, 0.0)
    assert second.target_met(90) is False
    assert (second.follow_ups, second.follow_ups_on_time) == (1, 1)


def test_the_report_reads_four_queries(cases, django_assert_num_queries):
    with django_assert_num_queries(4):
        monthly(date(2026, 3, 1), months=12, now=NOW)


# The page.


class Tables(HTMLParser):
    """A page's tables by id (rows of cell texts) and captions, its images, and the order of both."""

    def __init__(self, html):
        super().__init__()
        self.tables, self.captions, self.images, self.order = {}, {}, [], []
        self.current, self.row, self.cell, self.in_caption = None, None, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.current = attrs.get("id")
            self.tables[self.current] = []
            self.order.append(("table", self.current))
        elif tag == "caption":
            self.in_caption, self.captions[self.current] = True, ""
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "img":
            self.images.append(attrs)
            self.order.append(("img", attrs["src"]))

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr":
            self.tables[self.current].append(self.row)
        elif tag == "caption":
            self.in_caption = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        elif self.in_caption:
            self.captions[self.current] += data


def staff_with(username, *permissions):
    return make_staff(username, permissions=[f"cases.{codename}" for codename in permissions])


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW.astimezone(UTC))


@pytest.fixture
def manager_client(client, db, frozen):
    return sign_in_staff(client, staff_with("manager", "view_service_standard"))


def test_permission(client, db, frozen):
    assert client.get(REPORT).status_code == 302  # to the admin's sign-in
    assert "/admin/login/" in client.get(REPORT)["Location"]
    reviewer = staff_with("reviewer", "view_case", "change_case")
    sign_in_staff(client, reviewer)
    assert client.get(REPORT).status_code == 403
    assert client.get(REPORT, {"chart": "on-time"}).status_code == 403
    assert client.get(REPORT, {"format": "csv"}).status_code == 403
    reviewer.user_permissions.add(Permission.objects.get(codename="view_service_standard"))
    response = client.get(REPORT)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_superusers_see_the_report(frozen, admin_client):
    assert admin_client.get(REPORT).status_code == 200


def test_page_tables(cases, manager_client, settings):
    settings.SERVICE_STANDARD_TARGET_PERCENT = 90
    response = manager_client.get(REPORT, {"by": "month", "end": "2027-02-15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Home</a>" in html and "Service standard" in html
    assert "Figures as of 15 February 2027, 12:00 EST (Eastern time)." in html
    assert "at least 90% of its answered cases were answered on time" in html
    page = Tables(html)

    standard = page.tables["first-responses-standard"]
    assert standard[0] == [
        "Month",
        "Received",
        "Answered on time",
        "Answered late",
        "Waiting past the target",
        "Waiting within the target",
        "Closed without a response",
        "Percentage answered on time",
        "Against the 90% target",
        "Median business days to the first response",
        "90th percentile business days to the first response",
    ]
    rows = {row[0]: row[1:] for row in standard[1:]}
    assert len(rows) == 12 and list(rows)[0] == "March 2026"
    assert rows["December 2026"] == ["6", "5", "1", "0", "0", "0", "83.3%", "Missed", "0.83", "2.92"]
    assert rows["January 2027"] == ["2", "1", "0", "0", "0", "1", "100.0%", "Met", "1.25", "1.25"]
    assert rows["February 2027 (so far)"] == ["1", "0", "0", "1", "0", "0"] + ["none answered"] * 4
    assert rows["March 2026"] == ["0"] * 6 + ["none answered"] * 4
    assert "First responses, by month received: Standard (2 business days)" in page.captions["first-responses-standard"]

    financial = {row[0]: row[1:] for row in page.tables["first-responses-financial"][1:]}
    assert financial["January 2027"] == ["2", "1", "1", "0", "0", "0", "50.0%", "Missed", "8.17", "15.83"]
    assert financial["February 2027 (so far)"][:6] == ["1", "0", "0", "0", "1", "0"]

    follow_ups = {row[0]: row[1:] for row in page.tables["follow-ups-standard"][1:]}
    assert follow_ups["December 2026"] == ["1", "1", "1", "0", "0.67", "0.67"]
    assert follow_ups["January 2027"] == ["1", "1", "0", "1", "3.00", "3.00"]
    assert follow_ups["February 2027 (so far)"] == ["1", "0", "0", "0", "none answered", "none answered"]


def test_a_lower_target_is_met(cases, manager_client, settings):
    settings.SERVICE_STANDARD_TARGET_PERCENT = 80
    html = manager_client.get(REPORT, {"end": "2027-02-15"}).content.decode()
    rows = {row[0]: row[1:] for row in Tables(html).tables["first-responses-standard"][1:]}
    assert rows["December 2026"][6:8] == ["83.3%", "Met"]
    assert "Against the 80% target" in html


def test_charts_and_their_tables(cases, manager_client):
    html = manager_client.get(REPORT, {"by": "month", "end": "2027-01-31"}).content.decode()
    page = Tables(html)
    # Each chart is an image, followed at once by the table of its figures.
    for chart in ("on-time", "volume"):
        image = next(i for i in page.images if f"chart={chart}" in i["src"])
        assert image["alt"]
        following = page.order[page.order.index(("img", image["src"])) + 1]
        assert following == ("table", f"{chart}-chart-data")

    on_time = {row[0]: row[1:] for row in page.tables["on-time-chart-data"]}
    assert on_time["Month"] == ["Standard (2 business days)", "Financial account (15 business days)", "Target"]
    assert on_time["December 2026"] == ["83.3%", "none answered", "90%"]
    assert on_time["January 2027"] == ["100.0%", "50.0%", "90%"]
    volume = {row[0]: row[1:] for row in page.tables["volume-chart-data"]}
    assert volume["December 2026"] == ["6", "0"]
    assert volume["January 2027"] == ["2", "2"]

    image = next(i for i in page.images if "chart=on-time" in i["src"])
    svg = manager_client.get(image["src"])
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert "private" in svg["Cache-Control"]
    body = svg.content
    root = parse_svg(body)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in body and b"<!--" not in body
    assert set(re.findall(rb"https?://[^\s\"'<>)]+", body)) <= {
        b"http://www.w3.org/2000/svg",
        b"http://www.w3.org/1999/xlink",
    }
    text = "".join(root.itertext())
    assert "Standard (2 business days)" in text and "Target: 90%" in text
    # The points carry the table's figures: the standard class (February 2026, December 2026 and
    # January 2027; the other months had no case answered), then the financial one (January 2027).
    values = [d.text for d in root.iter("{http://www.w3.org/2000/svg}desc") if d.get("class") == "value"]
    assert values == ["100.0%", "83.3%", "100.0%", "50.0%"]
    assert on_time["February 2026"] == ["100.0%", "none answered", "90%"]

    volume_svg = manager_client.get(REPORT, {"by": "month", "end": "2027-01-31", "chart": "volume"})
    root = parse_svg(volume_svg.content)
    assert b"<script" not in volume_svg.content
    assert "Cases received" in "".join(root.itertext())


def test_charts_with_no_cases(manager_client):
    for chart in ("on-time", "volume"):
        response = manager_client.get(REPORT, {"chart": chart})
        assert response.status_code == 200
        parse_svg(response.content)
    assert manager_client.get(REPORT, {"chart": "pie"}).status_code == 404


def parse_svg(content):
    """The chart's root element; it fails on anything that is not well-formed XML."""
    return ET.fromstring(content)  # noqa: S314  (the site's own drawing, in a test)


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_csv(cases, manager_client):
    response = manager_client.get(REPORT, {"by": "month", "end": "2027-02-15", "format": "csv"})
    assert (
        'filename="service-standard-figures-by-month-2026-03-01-to-2027-02-28.csv"' in response["Content-Disposition"]
    )
    rows = csv_rows(response)
    assert rows[0][:5] == ["Period", "First day", "Last day", "Response class", "Received"]
    assert len(rows) == 1 + 12 * 2
    by_key = {(row[0], row[3]): row for row in rows[1:]}
    assert by_key["2026-12", "Standard (2 business days)"] == [
        "2026-12",
        "2026-12-01",
        "2026-12-31",
        "Standard (2 business days)",
        "6",
        "5",
        "1",
        "0",
        "0",
        "0",
        "83.3",
        "90",
        "Missed",
        "0.83",
        "2.92",
        "1",
        "1",
        "1",
        "0.67",
        "0.67",
        "0",  # answers to "Did we resolve your request?" (tests/cases/test_satisfaction.py)
        "0",
        "",
    ]
    assert by_key["2027-01", "Financial account (15 business days)"][4:15] == [
        "2",
        "1",
        "1",
        "0",
        "0",
        "0",
        "50.0",
        "90",
        "Missed",
        "8.17",
        "15.83",
    ]
    assert by_key["2027-02", "Standard (2 business days)"][4:15] == ["1", "0", "0", "1", "0", "0", "", "90", "", "", ""]

    on_time = csv_rows(manager_client.get(REPORT, {"end": "2027-01-31", "chart": "on-time", "format": "csv"}))
    assert on_time[0] == [
        "Period",
        "First day",
        "Last day",
        "Standard (2 business days): percentage answered on time",
        "Financial account (15 business days): percentage answered on time",
        "Target (percentage)",
    ]
    assert on_time[-2:] == [
        ["2026-12", "2026-12-01", "2026-12-31", "83.3", "", "90"],
        ["2027-01", "2027-01-01", "2027-01-31", "100.0", "50.0", "90"],
    ]
    volume = csv_rows(manager_client.get(REPORT, {"end": "2027-01-31", "chart": "volume", "format": "csv"}))
    assert volume[-1] == ["2027-01", "2027-01-01", "2027-01-31", "2", "2"]


def test_csv_cells_are_spreadsheet_safe(manager_client, monkeypatch):
    monkeypatch.setattr("cases.reports.tables.period_name", lambda period: "=SUM(A1:A9)")
    monkeypatch.setattr("cases.reports.tables.response_classes", lambda: [("standard", "+1"), ("financial", "@x")])
    rows = csv_rows(manager_client.get(REPORT, {"format": "csv"}))
    assert [rows[1][0], rows[1][3], rows[2][3]] == ["'=SUM(A1:A9)", "'+1", "'@x"]
    assert rows[1][4:10] == ["0", "0", "0", "0", "0", "0"]  # counts are numbers: written as they are


def test_weekly_page(cases, manager_client):
    html = manager_client.get(REPORT, {"by": "week", "end": "2027-01-03"}).content.decode()
    rows = {row[0]: row[1:] for row in Tables(html).tables["first-responses-standard"][1:]}
    assert len(rows) == 12
    assert rows["Week 2026-W52: 21 December 2026 to 27 December 2026"][:3] == ["1", "1", "0"]
    assert rows["Week 2026-W53: 28 December 2026 to 3 January 2027"][:8] == [
        "1",
        "0",
        "1",
        "0",
        "0",
        "0",
        "0.0%",
        "Missed",
    ]
    rows = csv_rows(manager_client.get(REPORT, {"by": "week", "end": "2027-01-03", "format": "csv"}))
    assert rows[-2][:3] == ["2026-W53", "2026-12-28", "2027-01-03"]


def test_the_form(cases, manager_client):
    page = manager_client.get(REPORT).content.decode()
    # By default: by month, up to today (NOW, in Toronto).
    assert 'value="2027-02-15"' in page
    assert re.search(r'<input[^>]*value="month"[^>]*checked', page)
    later = manager_client.get(REPORT, {"end": "2027-02-16"})
    assert later.status_code == 200
    assert "The period cannot end after today." in later.content.decode()
    assert 'id="first-responses-standard"' not in later.content.decode()
    assert manager_client.get(REPORT, {"end": "not a date", "format": "csv"}).status_code == 400
    assert manager_client.get(REPORT, {"by": "year", "chart": "volume"}).status_code == 400


def add_cases(count, topic, start):
    """`count` cases in December 2026, half answered, each with an answered follow-up."""
    made = Case.objects.bulk_create(
        [
            Case(
                reference=new_reference(),
                received_at=start + timedelta(hours=n),
                due_at=start + timedelta(days=3),
                first_response_at=start + timedelta(hours=n + 2) if n % 2 else None,
                topic=topic,
                response_class="standard",
                full_name="A",
                email="a@example.org",
                description="x",
            )
            for n in range(count)
        ]
    )
    Message.objects.bulk_create(
        [
            Message(
                case=case,
                kind=Message.Kind.FOLLOW_UP,
                created_at=case.received_at + timedelta(hours=1),
                language="en",
                body="y",
                due_at=case.due_at,
                answered_at=case.received_at + timedelta(hours=3),
            )
            for case in made
        ]
    )


def test_queries_do_not_grow_with_cases(manager_client, django_assert_max_num_queries):
    topic = Topic.objects.get(slug="portal-access")
    start = toronto(2026, 12, 1, 8, 0)
    add_cases(10, topic, start)
    with CaptureQueriesContext(connection) as few:
        assert manager_client.get(REPORT, {"end": "2027-01-31"}).status_code == 200
    add_cases(190, topic, start)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(REPORT, {"end": "2027-01-31"})
    rows = {row[0]: row[1:] for row in Tables(response.content.decode()).tables["first-responses-standard"][1:]}
    assert rows["December 2026"][0] == "200"
    for chart in ("on-time", "volume"):
        with django_assert_max_num_queries(len(few.captured_queries)):
            manager_client.get(REPORT, {"end": "2027-01-31", "chart": chart})


def test_the_report_in_french(cases, manager_client):
    response = manager_client.get(REPORT, {"end": "2027-02-15"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    french = csv_rows(manager_client.get(REPORT, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[0][:5] == ["Période", "Premier jour", "Dernier jour", "Catégorie de délai de réponse", "Reçues"]
    assert manager_client.get(REPORT, {"chart": "on-time"}, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
