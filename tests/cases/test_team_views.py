"""The teams' views of the case list, "My team's open cases" and "Due soon" (counted in the helpdesk's
open hours), and my teams' counts on the admin index."""

import re
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.urls import reverse

from cases.models import Case, Team
from cases.selectors import due_soon
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import ClosureDay, Topic
from tests.cases.test_case_list import listed
from tests.conftest import make_staff, sign_in_staff

CHANGELIST = reverse("admin:cases_case_changelist")
INDEX = reverse("admin:index")


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def team(name, *topics, members=()):
    made = Team.objects.create(name_en=name, name_fr=f"Équipe {name}")
    made.topics.set(Topic.objects.filter(slug__in=topics))
    made.members.set(members)
    return made


def filed(make_case, topic, due, **fields):
    """A case of `topic` whose next reply is due at `due` (None: nothing due)."""
    case = make_case(topic=topic)
    Case.objects.filter(pk=case.pk).update(reply_due_at=due, **fields)
    case.refresh_from_db()
    return case


def nav(page):
    start = page.index('<nav class="case-views"')
    return page[start : page.index("</nav>", start)]


def test_my_teams_open_cases(clock, make_case, reviewer, reviewer_client):
    clock.to(eastern(2026, 11, 25, 12, 0))
    team("Payments", "rm-account", members=[reviewer])
    team("Refunds", "disbursement-collection", members=[reviewer])
    team("Trade", "cad", members=[make_staff("ann")])
    payments = filed(make_case, "rm-account", eastern(2026, 11, 26, 19, 0))
    refunds = filed(make_case, "disbursement-collection", eastern(2026, 11, 25, 19, 0))
    closed = filed(make_case, "rm-account", None, status=Case.Status.CLOSED)
    trade = filed(make_case, "cad", eastern(2026, 11, 25, 19, 0))
    default = filed(make_case, "other", eastern(2026, 11, 25, 19, 0))
    page = reviewer_client.get(CHANGELIST, {"team": "mine"}).content.decode()
    assert '<a href="?team=mine" aria-current="page">My team&#x27;s open cases</a>' in nav(page)
    assert listed(page, payments, refunds, closed, trade, default) == [
        refunds.display_reference,
        payments.display_reference,
    ]
    # One team, as the index links to it; and the team filter names the teams in French on French pages.
    page = reviewer_client.get(CHANGELIST, {"team": Team.objects.get(name_en="Trade").pk}).content.decode()
    assert listed(page, payments, refunds, trade, default) == [trade.display_reference]
    page = reviewer_client.get(CHANGELIST, headers={"accept-language": "fr"}).content.decode()
    assert "Équipe Payments" in page and "Demandes ouvertes de mon équipe" in unescape(page)


@pytest.fixture
def due(make_case):
    """Cases due at various moments of the week of Monday 23 November 2026, one waiting on the client."""

    def case(*moment, **fields):
        return filed(make_case, "cad", eastern(*moment) if moment else None, **fields)

    return {
        "late": case(2026, 11, 24, 19, 0),
        "wednesday 19:00": case(2026, 11, 25, 19, 0),
        "thursday 8:00": case(2026, 11, 26, 8, 0),
        "thursday 10:00": case(2026, 11, 26, 10, 0),
        "monday 9:00": case(2026, 11, 30, 9, 0),
        "waiting": case(status=Case.Status.WAITING_ON_CLIENT),
        "resolved": case(2026, 11, 25, 18, 0, status=Case.Status.RESOLVED),
    }


def soon(due):
    return sorted(name for name, case in due.items() if Case.objects.filter(due_soon(), pk=case.pk).exists())


def test_due_soon_counts_open_hours(clock, due, settings):
    """Within the next 4 open hours (7:00 to 19:00 on business days), not overdue, open."""
    settings.DUE_SOON_OPEN_HOURS = 4
    clock.to(eastern(2026, 11, 25, 16, 0))  # Wednesday: 3 open hours left today, then Thursday from 7:00
    assert soon(due) == ["thursday 8:00", "wednesday 19:00"]
    settings.DUE_SOON_OPEN_HOURS = 3
    assert soon(due) == ["wednesday 19:00"]
    # Over the weekend: 4 open hours from Friday 17:00 reach Monday 9:00, though 64 clock hours away.
    settings.DUE_SOON_OPEN_HOURS = 4
    clock.to(eastern(2026, 11, 27, 17, 0))
    assert soon(due) == ["monday 9:00"]
    clock.to(eastern(2026, 11, 27, 16, 59))
    assert soon(due) == []
    # A closure day counts nothing either: with Thursday closed, 4 open hours from Wednesday 16:00 reach Friday 8:00.
    ClosureDay.objects.create(date=date(2026, 11, 26), reason_en="Storm", reason_fr="Tempête")
    clock.to(eastern(2026, 11, 25, 16, 0))
    assert soon(due) == ["thursday 10:00", "thursday 8:00", "wednesday 19:00"]


def test_due_soon_view(clock, due, reviewer_client):
    clock.to(eastern(2026, 11, 25, 16, 0))
    page = reviewer_client.get(CHANGELIST, {"due": "soon"}).content.decode()
    assert '<a href="?due=soon" aria-current="page">Due soon</a>' in nav(page)
    assert listed(page, *due.values()) == [
        due["wednesday 19:00"].display_reference,
        due["thursday 8:00"].display_reference,
    ]
    assert "Soon: within the next 4 open hours" in page
    page = reviewer_client.get(CHANGELIST, {"due": "soon"}, headers={"accept-language": "fr"}).content.decode()
    assert "Bientôt\u00a0: d&#x27;ici 4 heures d&#x27;ouverture" in page


@pytest.mark.parametrize("query", [{"team": "mine"}, {"due": "soon"}, {"team": "mine", "due": "soon", "_facets": "1"}])
def test_the_views_cost_the_same_queries_however_many_cases_and_teams(
    clock, make_case, reviewer, reviewer_client, django_assert_max_num_queries, query
):
    clock.to(eastern(2026, 11, 25, 16, 0))
    team("Payments", "rm-account", members=[reviewer])
    filed(make_case, "rm-account", eastern(2026, 11, 25, 19, 0))
    with django_assert_max_num_queries(100) as few:
        assert reviewer_client.get(CHANGELIST, query).status_code == 200
    for number in range(3):
        team(f"Team {number}", members=[reviewer])
    for number in range(20):
        filed(make_case, "rm-account" if number % 2 else "cad", eastern(2026, 11, 25, 19, 0) + timedelta(hours=number))
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(CHANGELIST, query)


# The admin index.


def queues(page):
    """The rows of my teams' table on the index: {team: [(count, link or None) for open, due soon, overdue]}."""
    start = page.index('<div class="module team-queues">')
    table = page[start : page.index("</table>", start)]
    rows = {}
    for name, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        rows[unescape(name)] = [
            (count, unescape(link) if link else None)
            for link, count in re.findall(r'<td class="count">(?:<a href="([^"]+)">)?(\d+)', cells)
        ]
    return rows


def test_the_index_counts_my_teams_cases(clock, make_case, reviewer, reviewer_client):
    clock.to(eastern(2026, 11, 25, 16, 0))
    payments = team("Payments", "rm-account", members=[reviewer])
    refunds = team("Refunds", "disbursement-collection", members=[reviewer])
    team("Trade", "cad", members=[make_staff("ann")])
    filed(make_case, "rm-account", eastern(2026, 11, 24, 19, 0))  # overdue
    filed(make_case, "rm-account", eastern(2026, 11, 25, 19, 0))  # due soon
    filed(make_case, "rm-account", eastern(2026, 11, 27, 19, 0))
    filed(make_case, "rm-account", None, status=Case.Status.CLOSED)
    filed(make_case, "cad", eastern(2026, 11, 24, 19, 0))
    page = reviewer_client.get(INDEX).content.decode()
    assert "<caption>My teams' cases</caption>" in page
    assert queues(page) == {
        "Payments": [
            ("3", f"{CHANGELIST}?team={payments.pk}"),
            ("1", f"{CHANGELIST}?team={payments.pk}&due=soon"),
            ("1", f"{CHANGELIST}?team={payments.pk}&overdue=yes"),
        ],
        "Refunds": [("0", None), ("0", None), ("0", None)],
    }
    assert "within the next 4 open hours of the helpdesk" in page
    assert f'href="{reverse("admin:cases_staffprofile_mine")}"' in page
    # Each link opens those cases.
    listed_page = reviewer_client.get(f"{CHANGELIST}?team={payments.pk}&due=soon").content.decode()
    assert len(re.findall(r'<tr[^>]*>\s*<td class="action-checkbox">', listed_page)) == 1
    # In French, the teams' French names, sorted by them.
    page = reviewer_client.get(INDEX, headers={"accept-language": "fr"}).content.decode()
    assert list(queues(page)) == ["Équipe Payments", "Équipe Refunds"]
    assert "Demandes de mes équipes" in page and refunds.name_fr in page


def test_the_index_costs_the_same_queries_however_many_teams_and_cases(
    clock, make_case, reviewer, reviewer_client, django_assert_max_num_queries
):
    team("Payments", "rm-account", members=[reviewer])
    filed(make_case, "rm-account", eastern(2026, 11, 25, 19, 0))
    with django_assert_max_num_queries(100) as few:
        reviewer_client.get(INDEX)
    for number in range(5):
        team(f"Team {number}", members=[reviewer])
    for _ in range(10):
        filed(make_case, "rm-account", eastern(2026, 11, 24, 19, 0))
    with django_assert_max_num_queries(len(few.captured_queries)):
        reviewer_client.get(INDEX)


def test_the_index_says_when_i_am_in_no_team_and_shows_nothing_to_those_who_cannot_view_cases(reviewer_client, client):
    page = reviewer_client.get(INDEX).content.decode()
    assert "You are in no team." in page
    editor = make_staff("editor", "Tree editors")
    page = sign_in_staff(client, editor).get(INDEX).content.decode()
    assert "team-queues" not in page
