"""The service-standard report's answers to "Did we resolve your request?" for each team: the figures,
the page's tables, the CSV file in both languages, and a number of queries that does not grow."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.intake.references import new_reference
from cases.merging import case_merge
from cases.models import Case, SatisfactionAnswer, Team
from cases.reports.service_standard import monthly, weekly
from cases.satisfaction.services import case_answer_resolved
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import Topic
from tests.cases.test_report import REPORT, Tables, csv_rows, staff_with
from tests.conftest import make_staff, sign_in_staff

NOW = datetime(2027, 2, 15, 12, 0, tzinfo=HELPDESK_TZ)


def toronto(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


@pytest.fixture
def teams(db):
    helpdesk = Team.objects.get(is_default=True)  # "Helpdesk", « Service d'assistance »
    payments = Team.objects.create(name_en="Payments", name_fr="Paiements")
    access = Team.objects.create(name_en="Access", name_fr="Accès")
    return helpdesk, payments, access


@pytest.fixture
def answers(make_case, teams):
    """December 2026: Payments 5 answers, 3 Yes; Helpdesk 1 No; Access 1 Yes (a merged case's).
    January 2027: 1 Yes about a case with no team. Every answer given through the service."""
    helpdesk, payments, access = teams

    def answered(team, *answers):
        case = make_case()
        Case.objects.filter(pk=case.pk).update(team=team)
        for answer, at in answers:
            case_answer_resolved(case, answer=answer, language="en", at=at)
        return case

    answered(payments, ("yes", toronto(2026, 12, 1, 9, 0)))
    answered(payments, ("no", toronto(2026, 12, 2, 9, 0)))
    answered(payments, ("yes", toronto(2026, 12, 3, 9, 0)))
    # The last answer counts: a No in November, then a Yes in December.
    answered(payments, ("no", toronto(2026, 11, 20, 9, 0)), ("yes", toronto(2026, 12, 4, 9, 0)))
    answered(helpdesk, ("no", toronto(2026, 12, 5, 9, 0)))
    answered(None, ("yes", toronto(2027, 1, 6, 9, 0)))
    staff = make_staff("merger")
    # A Helpdesk case answered Yes, merged into a Payments case answered No later: the pair counts once, as
    # the Payments case's No.
    merged = answered(helpdesk, ("yes", toronto(2026, 12, 7, 9, 0)))
    case_merge(merged, answered(payments, ("no", toronto(2026, 12, 8, 9, 0))), actor=staff)
    # A Helpdesk case answered Yes, merged into an Access case never answered: it counts as the Access case's.
    merged = answered(helpdesk, ("yes", toronto(2026, 12, 9, 9, 0)))
    case_merge(merged, answered(access), actor=staff)


def figures(period, team):
    answers = period.teams.get(team.pk if team else None)
    return None if answers is None else (answers.count, answers.yes, answers.yes_percent)


def test_figures_by_team(answers, teams):
    """Each team's answers in a period: the last answer of a case, a merged pair once, as the case that
    continues it, the cases with no team apart; the teams add up to the period's answers."""
    helpdesk, payments, access = teams
    november, december, january = monthly(date(2026, 11, 1), months=3, now=NOW)
    assert november.teams == {} and november.answers.count == 0
    assert figures(december, payments) == (5, 3, 60.0)
    assert figures(december, helpdesk) == (1, 0, 0.0)
    assert figures(december, access) == (1, 1, 100.0)
    assert figures(december, None) is None
    assert figures(january, None) == (1, 1, 100.0)
    for period in (december, january):
        assert sum(answers.count for answers in period.teams.values()) == period.answers.count
        assert sum(answers.yes for answers in period.teams.values()) == period.answers.yes
    first_week = weekly(date(2026, 11, 30), weeks=1, now=NOW)[0]  # 30 November to 6 December
    assert figures(first_week, payments) == (4, 3, 75.0)


@pytest.fixture
def manager_client(client, db, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW.astimezone(UTC))
    return sign_in_staff(client, staff_with("manager", "view_service_standard"))


def team_tables(page):
    """{caption: rows} of the page's team tables, in their order."""
    ids = [name for kind, name in page.order if kind == "table" and (name or "").startswith("resolved-team-")]
    return {page.captions[table_id].strip(): page.tables[table_id] for table_id in ids}


def test_page_tables_by_team(answers, teams, manager_client):
    """A table a team, in the order of their names, then "No team"; the share of Yes beside a bar."""
    html = manager_client.get(REPORT, {"by": "month", "end": "2027-01-31"}).content.decode()
    tables = team_tables(Tables(html))
    title = "Answers to “Did we resolve your request?”, by month answered: "
    assert list(tables) == [title + name for name in ("Access", "Helpdesk", "Payments", "No team")]
    payments = {row[0]: row[1:] for row in tables[title + "Payments"]}
    assert payments["Month"] == ["Answers", "Yes", "No", "Percentage Yes"]
    assert payments["November 2026"] == ["0", "0", "0", "no answers"]
    assert payments["December 2026"] == ["5", "3", "2", "60.0%"]
    no_team = {row[0]: row[1:] for row in tables[title + "No team"]}
    assert no_team["January 2027"] == ["1", "1", "0", "100.0%"]
    assert no_team["December 2026"] == ["0", "0", "0", "no answers"]
    assert 'id="resolved-team-none"' in html
    assert 'rect width="60" height="10"' in html  # the bar of Payments in December
    assert "table=teams" in html


def test_page_tables_by_team_in_french(answers, manager_client):
    html = manager_client.get(REPORT, {"by": "week", "end": "2027-01-31"}, HTTP_ACCEPT_LANGUAGE="fr")
    tables = team_tables(Tables(html.content.decode()))
    title = "Réponses à «\u00a0Avons-nous résolu votre demande\u00a0?\u00a0», par semaine de la réponse\u00a0: "
    names = ("Accès", "Paiements", "Service d'assistance", "Aucune équipe")
    assert list(tables) == [title + name for name in names]
    rows = {row[0]: row[1:] for row in tables[title + "Paiements"]}
    assert rows["Semaine"] == ["Réponses", "Oui", "Non", "Pourcentage de Oui"]
    # The cells' spaces read as plain spaces (Tables).
    assert rows["Semaine 2026-W49 : du 30 novembre 2026 au 6 décembre 2026"] == ["4", "3", "1", "75,0 %"]


def test_csv_by_team(answers, teams, manager_client):
    """A line a period and team; the No team line only when cases with no team had answers."""
    query = {"by": "month", "end": "2027-01-31", "format": "csv", "table": "teams"}
    response = manager_client.get(REPORT, query)
    assert (
        'filename="service-standard-resolved-by-team-by-month-2026-02-01-to-2027-01-31.csv"'
        in (response["Content-Disposition"])
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "Period",
        "First day",
        "Last day",
        "Team",
        "Answers to “Did we resolve your request?”",
        "Answered Yes",
        "Answered No",
        "Percentage answered Yes",
    ]
    assert len(rows) == 1 + 12 * 4
    by_key = {(row[0], row[3]): row[4:] for row in rows[1:]}
    assert by_key["2026-12", "Payments"] == ["5", "3", "2", "60.0"]
    assert by_key["2026-12", "Helpdesk"] == ["1", "0", "1", "0.0"]
    assert by_key["2026-12", "Access"] == ["1", "1", "0", "100.0"]
    assert by_key["2026-12", "No team"] == ["0", "0", "0", ""]
    assert by_key["2027-01", "No team"] == ["1", "1", "0", "100.0"]

    french = csv_rows(manager_client.get(REPORT, query, HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[0][3:] == [
        "Équipe",
        "Réponses à «\u00a0Avons-nous résolu votre demande\u00a0?\u00a0»",
        "Réponses Oui",
        "Réponses Non",
        "Pourcentage de réponses Oui",
    ]
    by_key = {(row[0], row[3]): row[4:] for row in french[1:]}
    assert by_key["2026-12", "Paiements"] == ["5", "3", "2", "60.0"]
    assert by_key["2027-01", "Aucune équipe"] == ["1", "1", "0", "100.0"]


def test_no_team_line_without_such_answers(teams, manager_client):
    """With no answer about a case without a team, every team has its line and there is no No team."""
    rows = csv_rows(manager_client.get(REPORT, {"end": "2027-01-31", "format": "csv", "table": "teams"}))
    assert {row[3] for row in rows[1:]} == {"Access", "Helpdesk", "Payments"}
    assert all(row[4:] == ["0", "0", "0", ""] for row in rows[1:])


def test_the_team_file_is_asked_for_by_name(manager_client):
    assert manager_client.get(REPORT, {"format": "csv", "table": "classes"}).status_code == 404
    assert manager_client.get(REPORT, {"table": "teams"}).status_code == 404
    assert manager_client.get(REPORT, {"format": "csv", "table": "teams", "chart": "volume"}).status_code == 404
    assert manager_client.get(REPORT, {"end": "not a date", "format": "csv", "table": "teams"}).status_code == 400


def add_answered_cases(count, teams, start):
    """`count` cases received and answered in December 2026, by turns of `teams` (None: no team)."""
    topic = Topic.objects.get(slug="portal-access")
    made = Case.objects.bulk_create(
        [
            Case(
                reference=new_reference(),
                received_at=start + timedelta(hours=n),
                due_at=start + timedelta(days=3),
                topic=topic,
                team=teams[n % len(teams)],
                response_class="standard",
                full_name="A",
                email="a@example.org",
                description="x",
            )
            for n in range(count)
        ]
    )
    SatisfactionAnswer.objects.bulk_create(
        [
            SatisfactionAnswer(
                case=case,
                answer="yes" if n % 3 else "no",
                language="en",
                answered_at=case.received_at + timedelta(days=1),
            )
            for n, case in enumerate(made)
        ]
    )


def test_queries_do_not_grow_with_teams_and_answers(teams, manager_client, django_assert_max_num_queries):
    start = toronto(2026, 12, 1, 8, 0)
    add_answered_cases(4, [teams[0], None], start)
    page = {"end": "2027-01-31"}
    team_file = {**page, "format": "csv", "table": "teams"}
    with CaptureQueriesContext(connection) as few_page:
        manager_client.get(REPORT, page)
    with CaptureQueriesContext(connection) as few_file:
        manager_client.get(REPORT, team_file)
    more = [Team.objects.create(name_en=f"Team {n}", name_fr=f"Équipe {n}") for n in range(8)]
    add_answered_cases(120, [*teams, *more, None], start)
    with django_assert_max_num_queries(len(few_page.captured_queries)):
        html = manager_client.get(REPORT, page).content.decode()
    assert len(team_tables(Tables(html))) == 3 + 8 + 1
    with django_assert_max_num_queries(len(few_file.captured_queries)):
        rows = csv_rows(manager_client.get(REPORT, team_file))
    december = [row for row in rows[1:] if row[0] == "2026-12"]
    assert sum(int(row[4]) for row in december) == 124
