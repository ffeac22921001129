"""The case list's views and the admin index make as many queries with 100,000 cases as with 50."""

from datetime import datetime, timedelta
from itertools import cycle, islice

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from stdnum import luhn

from cases.intake.references import ALPHABET, RANDOM_LENGTH
from cases.models import Case, Team
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import Topic
from tests.conftest import CONTACT, make_staff

CHANGELIST = reverse("admin:cases_case_changelist")
INDEX = reverse("admin:index")
NOW = datetime(2026, 11, 25, 16, 0, tzinfo=HELPDESK_TZ)  # a Wednesday afternoon

VIEWS = [
    (CHANGELIST, {}),
    (CHANGELIST, {"team": "mine"}),
    (CHANGELIST, {"due": "soon"}),
    (CHANGELIST, {"due": "today"}),
    (CHANGELIST, {"assigned": "me"}),
    (CHANGELIST, {"assigned": "nobody"}),
    (CHANGELIST, {"overdue": "yes"}),
    (CHANGELIST, {"team": "mine", "due": "soon", "_facets": "1"}),
    (CHANGELIST, {"status": "all", "age": "0"}),
    (INDEX, {}),
]


def reference(number):
    """A valid stored reference, the `number`-th of Crockford base32's, with its check character."""
    body = ""
    for _position in range(RANDOM_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        body = ALPHABET[digit] + body
    return body + luhn.calc_check_digit(body, alphabet=ALPHABET)


def states(mine, other, me, colleague):
    """The kinds of case the views tell apart, in turn: (team, assigned to, next reply due, status, escalated)."""
    overdue, soon, later = NOW - timedelta(hours=3), NOW + timedelta(hours=2), NOW + timedelta(days=3)
    open_ = Case.Status.NEW
    return [
        (mine, me, soon, open_, False),
        (mine, None, soon, Case.Status.IN_PROGRESS, False),
        (mine, colleague, overdue, open_, True),  # the leads were told: "Overdue, escalated"
        (mine, None, overdue, Case.Status.WAITING_ON_CLIENT, False),
        (other, me, later, open_, False),
        (other, None, overdue, open_, True),
        (mine, me, NOW + timedelta(hours=1), open_, False),  # later today
        (other, colleague, None, Case.Status.CLOSED, False),
        (None, None, later, open_, False),
    ]


def add_cases(count, start, kinds, topic):
    """`count` more cases, numbered from `start`, created in batches in a few seconds."""
    received = NOW - timedelta(days=2)
    cases = (
        Case(
            reference=reference(start + n),
            received_at=received - timedelta(minutes=n % 5000),
            due_at=received + timedelta(days=2),
            status=status,
            topic=topic,
            response_class=topic.response_class,
            full_name=CONTACT["full_name"],
            email=f"client{start + n}@example.org",
            description=CONTACT["description"],
            team=team,
            assigned_to=assignee,
            reply_due_at=due,
            escalated_target=due if escalated else None,
        )
        for n, (team, assignee, due, status, escalated) in enumerate(islice(cycle(kinds), count))
    )
    while batch := list(islice(cases, 5000)):
        Case.objects.bulk_create(batch)


@pytest.mark.django_db
def test_the_case_list_and_index_cost_the_same_queries_with_100000_cases_as_with_50(
    reviewer, reviewer_client, django_assert_num_queries
):
    """Each view's count is measured with 50 cases, then held with 100,000 (the pages list more rows)."""
    mine = Team.objects.create(name_en="Payments", name_fr="Paiements")
    other = Team.objects.create(name_en="Refunds", name_fr="Remboursements")
    colleague = make_staff("colleague", "Case reviewers")
    mine.members.set([reviewer, colleague])
    mine.leads.set([colleague])
    other.members.set([colleague])
    kinds = states(mine, other, reviewer, colleague)
    topic = Topic.objects.get(slug="portal-access")
    with time_machine.travel(NOW, tick=False):
        add_cases(50, 0, kinds, topic)
        measured = {}
        for url, query in VIEWS:
            with CaptureQueriesContext(connection) as few:
                assert reviewer_client.get(url, query).status_code == 200
            measured[url, tuple(query.items())] = len(few.captured_queries)
        add_cases(100_000 - 50, 50, kinds, topic)
        assert Case.objects.count() == 100_000
        for url, query in VIEWS:
            with django_assert_num_queries(measured[url, tuple(query.items())]):
                page = reviewer_client.get(url, query)
            assert page.status_code == 200
        listed = reviewer_client.get(CHANGELIST, {"overdue": "yes"}).content.decode()
    # A full page of 100 overdue cases, escalated or not, each row without a query of its own.
    escalated = listed.count('<strong class="case-overdue">Overdue, escalated</strong>')
    not_yet = listed.count('<strong class="case-overdue">Overdue</strong>')
    assert listed.count('<td class="action-checkbox">') == escalated + not_yet == 100
    assert escalated and not_yet
