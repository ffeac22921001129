"""The case list and case page for daily work, and the workload page: open cases first, the next reply
due first, lateness in words, times in Eastern time, and how long open cases have waited."""

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import Case, CaseAccess
from cases.selectors import AGE_BUCKETS, open_cases_by_age
from helpdesk.calendar import HELPDESK_TZ, business_days_elapsed, is_business_day
from helpdesk.models import ClosureDay
from tests.conftest import make_staff, sign_in_staff

CHANGELIST = reverse("admin:cases_case_changelist")
WORKLOAD = reverse("admin:cases_case_workload")


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


# Wednesday 25 November 2026, noon in Toronto.
NOON_WEDNESDAY = eastern(2026, 11, 25, 12, 0)


class Clock:
    def __init__(self, now):
        self.now = now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The time every timezone.now() reads, set by the test."""
    clock = Clock(NOON_WEDNESDAY)
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def staff(username, **names):
    return make_staff(username, "Case reviewers", **names)


def set_case(case, **fields):
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def text(html):
    """The page's text, tags taken out and spaces squeezed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def result_list(page):
    if 'id="result_list"' not in page:
        return ""  # no case to list
    return page[page.index('<table id="result_list"') : page.index("</table>", page.index('id="result_list"'))]


def listed(page, *cases):
    """Of `cases`, the references the case list shows, in the order it shows them."""
    table = result_list(page)
    shown = [case for case in cases if case.display_reference in table]
    return [case.display_reference for case in sorted(shown, key=lambda case: table.index(case.display_reference))]


def row(page, case):
    table = result_list(page)
    start = table.rindex("<tr", 0, table.index(case.display_reference))
    return table[start : table.index("</tr>", start)]


# Overdue, in words.


def test_overdue_is_written_in_red_words_never_an_icon_alone(clock, make_case, reviewer_client):
    """Past its target: "Overdue" or "N business days overdue", in the red class; else nothing marked."""
    days_late, hours_late, on_time = make_case(), make_case(), make_case()
    set_case(days_late, reply_due_at=eastern(2026, 11, 20, 19, 0))  # Friday: Monday, Tuesday, Wednesday since
    set_case(hours_late, reply_due_at=eastern(2026, 11, 25, 11, 0))  # an hour ago
    set_case(on_time, reply_due_at=eastern(2026, 11, 26, 19, 0))
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert '<strong class="case-overdue">3 business days overdue</strong>' in row(page, days_late)
    assert '<strong class="case-overdue">Overdue</strong>' in row(page, hours_late)
    assert "case-overdue" not in row(page, on_time) and "overdue" not in text(row(page, on_time)).lower()
    assert "icon-yes.svg" not in page and "icon-no.svg" not in result_list(page)
    # The case page says it in words too, with the target.
    page = reviewer_client.get(reverse("admin:cases_case_change", args=[days_late.pk])).content.decode()
    assert "2026-11-20 19:00 ET 3 business days overdue" in text(page)
    assert '<strong class="case-overdue">Overdue: no first response yet</strong>' in page
    assert "icon-yes.svg" not in page and "icon-no.svg" not in page


def test_a_case_waiting_on_the_client_is_never_overdue(clock, make_case, reviewer_client):
    case = set_case(make_case(), status=Case.Status.WAITING_ON_CLIENT, reply_due_at=None)
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert "case-overdue" not in row(page, case)
    page = reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "Nothing waits for a reply." in page


# The default view: open cases, the next reply due first.


@pytest.fixture
def mixed(clock, make_case):
    """Open cases due at different times (one with nothing due), a resolved one and a closed one."""
    later = set_case(make_case(), reply_due_at=eastern(2026, 11, 27, 19, 0))
    sooner = set_case(make_case(), status=Case.Status.IN_PROGRESS, reply_due_at=eastern(2026, 11, 26, 19, 0))
    late = set_case(make_case(), reply_due_at=eastern(2026, 11, 24, 19, 0))
    waiting = set_case(make_case(), status=Case.Status.WAITING_ON_CLIENT, reply_due_at=None)
    resolved = set_case(make_case(), status=Case.Status.RESOLVED, reply_due_at=None)
    closed = set_case(make_case(), status=Case.Status.CLOSED, reply_due_at=None)
    return {
        "later": later,
        "sooner": sooner,
        "late": late,
        "waiting": waiting,
        "resolved": resolved,
        "closed": closed,
    }


def test_default_list_shows_open_cases_next_reply_due_first(mixed, reviewer_client):
    page = reviewer_client.get(CHANGELIST).content.decode()
    everything = mixed.values()
    expected = [mixed[name].display_reference for name in ("late", "sooner", "later", "waiting")]
    assert listed(page, *everything) == expected
    # "Open" is the status chosen in the filter, and "All, including closed" is offered.
    assert re.search(r'<li class="selected">\s*<a href="\?status=open"', page)
    assert "All, including closed" in page


@pytest.mark.parametrize(
    "params, names",
    [
        ({"status": "all"}, {"later", "sooner", "late", "waiting", "resolved", "closed"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "resolved"}, {"resolved"}),
        ({"status": "waiting"}, {"waiting"}),
        # The address of the admin's own status filter still works.
        ({"status__exact": "closed"}, {"closed"}),
        ({"status__exact": "new"}, {"later", "late"}),
    ],
)
def test_status_filter_shows_closed_cases_when_asked(mixed, reviewer_client, params, names):
    page = reviewer_client.get(CHANGELIST, params).content.decode()
    assert set(listed(page, *mixed.values())) == {mixed[name].display_reference for name in names}


def test_search_looks_in_every_status(mixed, reviewer_client):
    """A reference finds its case even closed; a search with a status chosen keeps to it."""
    closed = mixed["closed"]
    for term in (closed.display_reference, closed.reference.lower()):
        page = reviewer_client.get(CHANGELIST, {"q": term}).content.decode()
        assert listed(page, *mixed.values()) == [closed.display_reference]
    page = reviewer_client.get(CHANGELIST, {"q": "ann@example.org"}).content.decode()
    assert len(listed(page, *mixed.values())) == 6
    page = reviewer_client.get(CHANGELIST, {"q": closed.display_reference, "status": "open"}).content.decode()
    assert listed(page, *mixed.values()) == []


def test_saving_a_case_returns_to_the_list_it_came_from(mixed, reviewer_client):
    """The admin's preserved filters bring the reviewer back to the view they left."""
    case = mixed["later"]
    url = reverse("admin:cases_case_change", args=[case.pk]) + "?_changelist_filters=status%3Dall%26assigned%3Dme"
    from tests.cases.test_admin import edit_data

    response = reviewer_client.post(url, edit_data(case, status="in_progress"))
    assert response.status_code == 302 and response["Location"] == f"{CHANGELIST}?status=all&assigned=me"
    page = reviewer_client.get(response["Location"]).content.decode()
    assert listed(page, *mixed.values()) == []  # nothing is assigned to the reviewer


# One-click views.


def test_one_click_views(clock, make_case, reviewer, reviewer_client):
    other = staff("other")
    mine = set_case(make_case(), assigned_to=reviewer, reply_due_at=eastern(2026, 11, 26, 19, 0))
    mine_closed = set_case(make_case(), assigned_to=reviewer, status=Case.Status.CLOSED, reply_due_at=None)
    theirs_late = set_case(make_case(), assigned_to=other, reply_due_at=eastern(2026, 11, 24, 19, 0))
    nobodys = set_case(make_case(), reply_due_at=eastern(2026, 11, 27, 19, 0))
    nobodys_late = set_case(make_case(), reply_due_at=eastern(2026, 11, 23, 19, 0))
    cases = [mine, mine_closed, theirs_late, nobodys, nobodys_late]
    views = {
        "Open cases": ("?", [nobodys_late, theirs_late, mine, nobodys]),
        "My open cases": ("?assigned=me", [mine]),
        "Unassigned": ("?assigned=nobody", [nobodys_late, nobodys]),
        "Overdue": ("?overdue=yes", [nobodys_late, theirs_late]),
    }
    for label, (query, expected) in views.items():
        page = reviewer_client.get(CHANGELIST + query).content.decode()
        nav = page[page.index('<nav class="case-views"') : page.index("</nav>", page.index('class="case-views"'))]
        for other_label, (other_query, _cases) in views.items():
            current = ' aria-current="page"' if other_label == label else ""
            assert f'<a href="{other_query}"{current}>{other_label}</a>' in nav
        assert nav.count("aria-current") == 1
        assert listed(page, *cases) == [case.display_reference for case in expected], label
    # Sorted or paged, the view is still the current one; with a search, none is.
    page = reviewer_client.get(CHANGELIST, {"assigned": "me", "o": "1"}).content.decode()
    assert '<a href="?assigned=me" aria-current="page">' in page
    page = reviewer_client.get(CHANGELIST, {"q": "ann"}).content.decode()
    assert "aria-current" not in page[page.index('<nav class="case-views"') :][:1000]
    # The workload page is one click away.
    assert f'href="{WORKLOAD}"' in page


# Eastern time, with the zone written.


def test_times_are_eastern_whatever_the_server_zone(clock, make_case, reviewer, reviewer_client, settings):
    """Received, due, first response, events and accesses all in Eastern time, "ET" written."""
    settings.TIME_ZONE = "America/Vancouver"
    case = make_case(received_at=eastern(2026, 11, 23, 10, 5))  # due Wednesday 19:00
    from cases.conversation.services import case_record_response

    case_record_response(case, actor=reviewer, channel="telephone", at=eastern(2026, 11, 24, 9, 30))
    page = text(reviewer_client.get(CHANGELIST, {"status": "all"}).content.decode())
    assert "2026-11-23 10:05 ET" in page
    case = set_case(case, reply_due_at=eastern(2026, 11, 27, 19, 0))
    page = text(reviewer_client.get(CHANGELIST).content.decode())
    assert "2026-11-23 10:05 ET" in page and "2026-11-27 19:00 ET" in page
    assert "07:05" not in page and "16:00" not in page  # nothing in Vancouver time
    page = text(reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode())
    for shown in (
        "Received: 2026-11-23 10:05 ET",
        "First response due: 2026-11-25 19:00 ET",
        "First response sent: 2026-11-24 09:30 ET",
        "Next reply due: 2026-11-27 19:00 ET",
        "2026-11-25 12:00 ET reviewer",  # this access, now
    ):
        assert shown in page
    # The audit trail and the conversation too.
    assert "2026-11-23 10:05 ET — Ann Smith" in page
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d ET - Received through the contact form", page)


def test_times_read_he_in_french(clock, make_case, reviewer_client):
    """The zone is a translated string: French staff read « HE », on the list and in the conversation."""
    case = set_case(make_case(received_at=eastern(2026, 11, 23, 10, 5)), reply_due_at=eastern(2026, 11, 27, 19, 0))
    page = text(reviewer_client.get(CHANGELIST, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "2026-11-27 19:00 HE" in page and "19:00 ET" not in page
    change = reverse("admin:cases_case_change", args=[case.pk])
    page = text(reviewer_client.get(change, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    assert "2026-11-23 10:05 HE — Ann Smith" in page and "10:05 ET" not in page


# The case page: request, conversation, record.


def test_case_page_reads_request_then_conversation_then_record(make_case, reviewer_client):
    case = make_case(description="My request text.", path=[{"question": "Who are you?", "answer": "Importer"}])
    page = reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    order = [
        "<dt>Who are you?</dt>",  # the help tool's path
        "My request text.",  # the request
        'id="conversation-title"',  # the conversation
        reverse("admin:cases_case_reply", args=[case.pk]),  # the reply box
        'name="status" id="id_status"',  # the record: status and assignee
        'name="notes-2-0-text"',  # a new note
        'name="_save"',
        ">Service standard<",
        'id="events-heading"',  # the audit trail
        "Opened by staff",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The request is not repeated in the conversation, which points up to it.
    assert page.count("My request text.") == 1 and 'href="#case-request"' in page


# Accesses: once an hour for each member of staff.


def test_opening_a_case_is_recorded_once_an_hour(clock, make_case, reviewer, reviewer_client, client):
    case = make_case()
    url = reverse("admin:cases_case_change", args=[case.pk])
    reviewer_client.get(url)
    reviewer_client.get(url)
    assert CaseAccess.objects.filter(case=case, user=reviewer).count() == 1
    clock.advance(minutes=59)
    reviewer_client.get(url)
    assert CaseAccess.objects.filter(case=case, user=reviewer).count() == 1
    clock.advance(minutes=2)  # 61 minutes after the first
    reviewer_client.get(url)
    assert list(CaseAccess.objects.filter(case=case).values_list("at", flat=True)) == [
        NOON_WEDNESDAY + timedelta(minutes=61),
        NOON_WEDNESDAY,
    ]
    # Each member of staff, and each case, counts apart.
    from django.test import Client

    sign_in_staff(Client(), staff("other")).get(url)
    reviewer_client.get(reverse("admin:cases_case_change", args=[make_case().pk]))
    assert CaseAccess.objects.count() == 4


def test_a_repeated_visit_costs_one_query_on_the_accesses(clock, make_case, reviewer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case()
    url = reverse("admin:cases_case_change", args=[case.pk])
    reviewer_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        reviewer_client.get(url)
    writes = [q["sql"] for q in queries if "cases_caseaccess" in q["sql"] and not q["sql"].startswith("SELECT")]
    checks = [q["sql"] for q in queries if q["sql"].startswith("SELECT 1") and "cases_caseaccess" in q["sql"]]
    assert writes == [] and len(checks) == 1


# Business days elapsed.

MONDAY = eastern(2026, 11, 23, 10, 0)


@pytest.mark.parametrize(
    "start, end, days",
    [
        (MONDAY, MONDAY + timedelta(hours=8), 0),  # the same day
        (MONDAY, eastern(2026, 11, 24, 0, 0), 1),  # Tuesday has begun
        (MONDAY, eastern(2026, 11, 25, 19, 0), 2),  # a two-day target falls due
        (eastern(2026, 11, 20, 18, 0), eastern(2026, 11, 23, 9, 0), 1),  # Friday evening to Monday
        (eastern(2026, 11, 21, 11, 0), eastern(2026, 11, 22, 23, 0), 0),  # the weekend
        (eastern(2026, 11, 10, 10, 0), eastern(2026, 11, 12, 10, 0), 1),  # Remembrance Day, Wednesday
        (eastern(2026, 12, 23, 10, 0), eastern(2027, 1, 4, 10, 0), 5),  # 24, 29, 30, 31 Dec and 4 Jan
        (MONDAY, MONDAY - timedelta(days=3), 0),  # an end before the start
        (eastern(2026, 10, 30, 10, 0), eastern(2026, 11, 2, 10, 0), 1),  # across the end of summer time
    ],
)
def test_business_days_elapsed_in_whole_days(start, end, days):
    assert business_days_elapsed(start, end) == days


def test_business_days_elapsed_skips_closure_days_and_reads_eastern_time():
    closed = {date(2026, 11, 24)}
    assert business_days_elapsed(MONDAY, eastern(2026, 11, 25, 10, 0), closed) == 1
    # 23:30 in Toronto on Monday is 04:30 UTC on Tuesday: still Monday for the helpdesk.
    from zoneinfo import ZoneInfo

    late_monday = datetime(2026, 11, 24, 4, 30, tzinfo=ZoneInfo("UTC"))
    assert business_days_elapsed(MONDAY, late_monday) == 0


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)),
    span=st.integers(min_value=-3, max_value=800),
    closed=st.sets(st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)), max_size=20),
)
def test_business_days_elapsed_counts_each_business_day(start, span, closed):
    """The counting by weeks agrees with a walk through every day."""
    end = start + timedelta(days=span)
    walked = sum(is_business_day(start + timedelta(days=n), closed) for n in range(1, span + 1))
    at = datetime(2000, 1, 1, 12, 0).time()
    moment = lambda day: datetime.combine(day, at, tzinfo=HELPDESK_TZ)  # noqa: E731
    assert business_days_elapsed(moment(start), moment(end), closed) == walked


# The workload page.


@pytest.fixture
def thursday_after_remembrance_day(monkeypatch):
    """Thursday 12 November 2026, 10:00: Wednesday the 11th was a holiday; Monday the 9th a closure day."""
    now = eastern(2026, 11, 12, 10, 0)
    monkeypatch.setattr(timezone, "now", lambda: now)
    ClosureDay.objects.create(date=date(2026, 11, 9), reason_en="Storm", reason_fr="Tempête")
    return now


RECEIVED = {
    # received: age in business days on Thursday 12 November
    eastern(2026, 11, 12, 8, 0): 0,
    eastern(2026, 11, 11, 10, 0): 1,  # on the holiday: the 12th since
    eastern(2026, 11, 10, 15, 0): 1,  # the 11th is a holiday
    eastern(2026, 11, 6, 18, 0): 2,  # 10 and 12: the 9th closed, the 11th a holiday
    eastern(2026, 11, 7, 11, 0): 2,  # a Saturday
    eastern(2026, 11, 2, 10, 0): 6,
    eastern(2026, 10, 28, 10, 0): 9,
    eastern(2026, 10, 27, 10, 0): 10,
    eastern(2026, 10, 9, 10, 0): 21,  # Thanksgiving, 12 October, not counted
}


@pytest.fixture
def aged(db, thursday_after_remembrance_day, make_case):
    cases = {received: make_case(received_at=received) for received in RECEIVED}
    set_case(make_case(received_at=eastern(2026, 10, 1, 10, 0)), status=Case.Status.CLOSED)  # not counted
    return cases


def test_ages_of_open_cases_in_business_days(aged, thursday_after_remembrance_day):
    for received, age in RECEIVED.items():
        assert business_days_elapsed(received, thursday_after_remembrance_day, {date(2026, 11, 9)}) == age
    counts = [open_count for _bucket, open_count, _overdue in open_cases_by_age()]
    assert counts == [1, 2, 2, 2, 1, 1]
    assert [bucket for bucket, _open, _overdue in open_cases_by_age()] == AGE_BUCKETS


def test_workload_page(aged, make_case, reviewer, reviewer_client):
    """Counts by age and by assignee, each linked to the list of those very cases."""
    ann = staff("ann", first_name="Ann", last_name="Lee")
    by_age = list(aged.values())
    today_19 = eastern(2026, 11, 12, 19, 0)
    set_case(by_age[0], assigned_to=ann, reply_due_at=today_19)  # due later today
    set_case(by_age[1], assigned_to=ann, status=Case.Status.WAITING_ON_CLIENT, reply_due_at=None)
    set_case(by_age[8], assigned_to=ann)  # overdue
    set_case(by_age[7], assigned_to=reviewer)  # overdue
    page = reviewer_client.get(WORKLOAD).content.decode()
    assert "<caption>Open cases by age: business days since received</caption>" in page
    assert "<caption>Open cases by assignee</caption>" in page
    main = page[page.index('<div id="content-main"') :]
    assert main.count('<th scope="col">') == 8 and '<th scope="row">Ann Lee</th>' in page
    rows = {
        cells[0]: cells[1:]
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.DOTALL)
            for body in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
        )
    }

    def counts(name):
        return [re.sub(r"<[^>]+>", "", cell).strip() for cell in rows[name]]

    assert counts("0 business days") == ["1", "0"]
    assert counts("1 business day") == ["2", "0"]
    assert counts("2 to 4 business days") == ["2", "0"]  # due at 19:00 today
    assert counts("5 to 9 business days") == ["2", "2"]
    assert counts("10 to 14 business days") == ["1", "1"]
    assert counts("15 or more business days") == ["1", "1"]
    assert counts("All open cases") == ["9", ""]
    assert counts("Ann Lee") == ["3", "1", "1", "1"]
    assert counts("reviewer") == ["1", "1", "0", "0"]
    assert counts("Unassigned") == ["5", "2", "1", "0"]
    assert list(rows)[-1] == "Unassigned"
    # Each link lists the cases counted.
    links = dict(re.findall(r'<a href="(/admin/cases/case/\?[^"]+)">(\d+)</a>', page))
    for url, count in links.items():
        shown = listed(reviewer_client.get(url.replace("&amp;", "&")).content.decode(), *aged.values())
        assert len(shown) == int(count), url
    assert f"{CHANGELIST}?assigned={ann.pk}&amp;due=today" in links
    assert f"{CHANGELIST}?assigned={ann.pk}&amp;status=waiting" in links
    assert f"{CHANGELIST}?age=5&amp;overdue=yes" in links
    assert f"{CHANGELIST}?assigned=nobody&amp;overdue=yes" in links


def test_workload_needs_permission_to_view_cases(client, db):
    editor = make_staff("editor", "Tree editors")
    assert sign_in_staff(client, editor).get(WORKLOAD).status_code == 403


# Queries do not grow with the number of cases.


def add_cases(make_case, users, count):
    """Cases received a day apart, each fifth waiting on the client, two thirds assigned; some overdue."""
    for number in range(count):
        case = make_case(
            topic="rm-account" if number % 2 else "cad", received_at=timezone.now() - timedelta(days=3 * number)
        )
        if number % 5 == 4:
            Case.objects.filter(pk=case.pk).update(status=Case.Status.WAITING_ON_CLIENT, reply_due_at=None)
        Case.objects.filter(pk=case.pk).update(assigned_to=users[number % len(users)] if number % 3 else None)


@pytest.mark.parametrize("url", [CHANGELIST, WORKLOAD, f"{CHANGELIST}?age=2", f"{CHANGELIST}?status=all"])
def test_queries_do_not_grow_with_cases(
    clock, make_case, reviewer, reviewer_client, django_assert_max_num_queries, url
):
    users = [reviewer, staff("ann"), staff("bob")]
    add_cases(make_case, users, 5)
    with django_assert_max_num_queries(100) as few:
        assert reviewer_client.get(url).status_code == 200
    add_cases(make_case, users, 45)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(url)


def test_counts_in_the_filters_follow_the_default(mixed, reviewer_client):
    """With "Show counts", the status filter counts each status among the other filters' cases."""
    page = text(reviewer_client.get(CHANGELIST, {"_facets": "1"}).content.decode())
    assert "Open (4)" in page and "Closed (1)" in page and "All, including closed (6)" in page
    assert "Overdue (1)" in page  # among the open cases listed
