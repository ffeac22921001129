"""Teams' queues: a case goes to its topic's team or the default one, a team may assign new cases in
turn, staff take the next case waiting, and a change of assignee is recorded with its reason."""

import io
import re
import threading
from datetime import date, datetime, timedelta
from html import unescape

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import translation

from cases.conversation.services import case_follow_up, case_reply
from cases.models import Case, CaseEvent, StaffProfile, Team
from cases.services import case_change
from cases.teams import case_take_next, next_in_turn
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import Topic
from tests.cases.test_admin import edit_data
from tests.conftest import make_staff, sign_in_staff

CHANGELIST = reverse("admin:cases_case_changelist")
TAKE_NEXT = reverse("admin:cases_case_take_next")


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def team(name, *topics, members=(), **fields):
    made = Team.objects.create(name_en=name, name_fr=f"FR {name}", **fields)
    made.topics.set(Topic.objects.filter(slug__in=topics))
    made.members.set(members)
    return made


def reviewers(*names):
    return [make_staff(name, "Case reviewers") for name in names]


def trail(case):
    return [(event.description, event.actor and event.actor.username) for event in case.events.select_related("actor")]


# Which team a case goes to.


def test_a_case_goes_to_its_topics_team_else_the_default(make_case):
    payments = team("Payments", "rm-account", "disbursement-collection")
    default = Team.objects.get(is_default=True)
    assert (default.name_en, default.name_fr) == ("Helpdesk", "Service d'assistance")
    assert make_case(topic="rm-account").team == payments
    assert make_case(topic="cad").team == default


def test_a_follow_on_case_takes_its_team_the_same_way(make_case, reviewer):
    """A follow-up past reopening files a new case, in the team that owns its topic now."""
    case = make_case(topic="rm-account")
    assert case.team.is_default
    payments = team("Payments", "rm-account")
    case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    result = case_follow_up(case, body="New problem", language="en", at=case.resolved_at + timedelta(days=20))
    assert result.new_case and result.case.team == payments


def test_without_a_default_team_a_case_is_filed_all_the_same(make_case):
    Team.objects.all().delete()
    assert make_case().team is None


def test_generated_cases_are_in_their_topics_teams(db):
    from django.core.management import call_command

    payments = team("Payments", "rm-account")
    call_command("generate_cases", "--count", "60", stdout=io.StringIO())
    teams = dict(Case.objects.values_list("topic__slug", "team__name_en").distinct())
    assert teams["rm-account"] == "Payments" and teams["cad"] == "Helpdesk"
    assert Case.objects.filter(team=payments).count() == Case.objects.filter(topic__slug="rm-account").count()


def test_the_migration_puts_existing_cases_in_the_default_team(tmp_path):
    """A database from before teams: its three cases go to the default team, which the reviewers may view."""
    import sqlite3

    from tests.helpdesk.test_migrations import BEFORE, migrate

    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as database:
        database.executescript(BEFORE.read_text(encoding="utf-8"))
    database = migrate(path)
    ((default_id, name_fr),) = database.execute("SELECT id, name_fr FROM cases_team WHERE is_default").fetchall()
    assert name_fr == "Service d'assistance"
    assert database.execute("SELECT team_id, COUNT(*) FROM cases_case GROUP BY team_id").fetchall() == [(default_id, 3)]
    granted = database.execute(
        """SELECT p.codename FROM auth_group g JOIN auth_group_permissions gp ON gp.group_id = g.id
           JOIN auth_permission p ON p.id = gp.permission_id WHERE g.name = 'Case reviewers' AND p.codename
           LIKE '%team'"""
    ).fetchall()
    assert granted == [("view_team",)]


# Assigning in turn.


def test_a_round_robin_team_assigns_new_cases_in_turn(make_case):
    ann, bob, cat = reviewers("ann", "bob", "cat")
    team("Payments", "rm-account", members=[cat, ann, bob], round_robin=True)
    cases = [make_case(topic="rm-account") for _ in range(4)]
    assert [case.assigned_to.username for case in cases] == ["ann", "bob", "cat", "ann"]
    assert trail(cases[1])[1] == ("Assigned automatically to bob, in turn among the team", None)
    with translation.override("fr"):
        assert cases[1].events.get(code=CaseEvent.Code.ASSIGNED_IN_TURN).description == (
            "Attribuée automatiquement à bob, à tour de rôle dans l'équipe"
        )
    assert make_case(topic="cad").assigned_to is None  # the default team does not assign in turn


def test_the_turn_goes_to_whoever_was_assigned_a_case_least_recently(make_case, clock):
    ann, bob = reviewers("ann", "bob")
    team("Payments", "rm-account", members=[ann, bob], round_robin=True)
    clock.to(eastern(2026, 11, 25, 9, 0))
    case_change(make_case(topic="cad"), actor=ann, assigned_to=ann)  # ann took a case herself
    clock.to(eastern(2026, 11, 25, 10, 0))
    assert make_case(topic="rm-account").assigned_to == bob
    clock.to(eastern(2026, 11, 25, 11, 0))
    assert make_case(topic="rm-account").assigned_to == ann
    assert StaffProfile.objects.get(user=ann).last_assigned_at == eastern(2026, 11, 25, 11, 0)


def test_the_turn_skips_the_away_the_inactive_and_those_who_cannot_view_cases(make_case, clock):
    clock.to(eastern(2026, 11, 25, 9, 0))
    away, back, leaving, gone, clerk, present = reviewers("away", "back", "leaving", "gone", "clerk", "present")
    StaffProfile.objects.create(user=away, away_from=date(2026, 11, 20), away_until=date(2026, 11, 25))
    StaffProfile.objects.create(user=back, away_from=date(2026, 11, 20), away_until=date(2026, 11, 24))
    StaffProfile.objects.create(user=leaving, away_from=date(2026, 11, 25))  # until the dates are emptied
    gone.is_active = False
    gone.save()
    clerk.groups.clear()  # staff, but may not view cases
    payments = team("Payments", "rm-account", members=[away, back, leaving, gone, clerk, present], round_robin=True)
    assert [make_case(topic="rm-account").assigned_to.username for _ in range(3)] == ["back", "present", "back"]
    StaffProfile.objects.filter(user=leaving).update(away_from=date(2026, 11, 26))  # not away until tomorrow
    assert next_in_turn(payments) == leaving
    superuser = make_staff("boss", is_superuser=True)
    payments.members.set([superuser])
    assert next_in_turn(payments) == superuser


def test_with_nobody_to_take_it_a_case_waits_unassigned(make_case):
    (away,) = reviewers("away")
    StaffProfile.objects.create(user=away, away_until=date(2099, 1, 1))
    team("Payments", "rm-account", members=[away], round_robin=True)
    case = make_case(topic="rm-account")
    assert case.assigned_to is None and not case.events.filter(code=CaseEvent.Code.ASSIGNED_IN_TURN).exists()


def test_away_dates():
    profile = StaffProfile(away_from=date(2026, 11, 20), away_until=date(2026, 11, 24))
    assert [profile.is_away(date(2026, 11, day)) for day in (19, 20, 24, 25)] == [False, True, True, False]
    assert StaffProfile(away_until=date(2026, 11, 24)).is_away(date(2000, 1, 1))
    assert StaffProfile(away_from=date(2026, 11, 24)).is_away(date(2099, 1, 1))
    assert not StaffProfile().is_away(date(2026, 11, 24))


# Taking the next case.


@pytest.fixture
def queue(make_case, reviewer, clock):
    """Wednesday noon: three unassigned open cases of the reviewer's team, one assigned, one closed, and
    one of another team due first."""
    clock.to(eastern(2026, 11, 25, 12, 0))
    mine = team("Payments", "rm-account", members=[reviewer])
    team("Trade", "cad")

    def case(topic, due, **fields):
        made = make_case(topic=topic)
        Case.objects.filter(pk=made.pk).update(reply_due_at=due, **fields)
        made.refresh_from_db()
        return made

    return {
        "other team's": case("cad", eastern(2026, 11, 24, 19, 0)),
        "closed": case("rm-account", None, status=Case.Status.CLOSED),
        "assigned": case("rm-account", eastern(2026, 11, 23, 19, 0), assigned_to=make_staff("ann")),
        "later": case("rm-account", eastern(2026, 11, 27, 19, 0)),
        "first": case("rm-account", eastern(2026, 11, 24, 19, 0)),
        "waiting on client": case("rm-account", None, status=Case.Status.WAITING_ON_CLIENT),
        "team": mine,
    }


def test_take_next_assigns_me_the_earliest_due_unassigned_case_of_my_teams(queue, reviewer, reviewer_client):
    response = reviewer_client.post(TAKE_NEXT)
    first = queue["first"]
    assert response.status_code == 302 and response["Location"] == reverse("admin:cases_case_change", args=[first.pk])
    first.refresh_from_db()
    assert first.assigned_to == reviewer
    assert trail(first)[-1] == ("Assigned to reviewer", "reviewer")
    page = reviewer_client.get(response["Location"]).content.decode()
    assert f"Case {first.display_reference} is assigned to you." in page
    # Then the later one, then the one waiting on the client (no reply due), then nothing.
    assert [case_take_next(reviewer) for _ in range(3)] == [queue["later"], queue["waiting on client"], None]
    assert Case.objects.get(pk=queue["other team's"].pk).assigned_to is None


def test_take_next_says_when_nothing_is_waiting(queue, reviewer, reviewer_client):
    Case.objects.filter(team=queue["team"]).update(assigned_to=reviewer)
    response = reviewer_client.post(TAKE_NEXT, follow=True)
    assert response.redirect_chain == [(CHANGELIST, 302)]
    assert "No case is waiting: every open case of your teams is assigned." in response.content.decode()
    queue["team"].members.clear()
    response = reviewer_client.post(TAKE_NEXT, follow=True, headers={"accept-language": "fr"})
    assert "Vous ne faites partie d'aucune équipe" in unescape(response.content.decode())


def test_take_next_is_a_button_for_those_who_may_change_cases(queue, reviewer_client, client):
    page = reviewer_client.get(CHANGELIST).content.decode()
    assert f'<form method="post" action="{TAKE_NEXT}" class="take-next">' in page
    assert '<button type="submit">Take the next case</button>' in page
    assert reviewer_client.get(TAKE_NEXT).status_code == 405
    reader = make_staff("reader", permissions=["cases.view_case"])
    queue["team"].members.add(reader)
    reader_client = sign_in_staff(client, reader)
    assert "take-next" not in reader_client.get(CHANGELIST).content.decode()
    assert reader_client.post(TAKE_NEXT).status_code == 403
    assert not Case.objects.filter(assigned_to=reader).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_ten_staff_taking_at_once_get_ten_different_cases(seeded):
    """Ten members press "Take the next case" at the same moment, each in their own connection."""
    from cases.intake.help_paths import PathTaken
    from cases.intake.submission import case_submit
    from tests.conftest import CONTACT

    members = reviewers(*(f"member{number}" for number in range(10)))
    team("Payments", "rm-account", members=members)
    topic = Topic.objects.get(slug="rm-account")
    for number in range(12):
        case_submit(contact={**CONTACT, "email": f"client{number}@example.org"}, path_taken=PathTaken.straight(topic))
    start = threading.Barrier(10)
    taken, errors = {}, []

    def take(member):
        try:
            start.wait()
            taken[member.username] = case_take_next(member)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({case.pk for case in taken.values() if case is not None}) == 10
    assigned = dict(Case.objects.filter(assigned_to__isnull=False).values_list("pk", "assigned_to__username"))
    assert assigned == {case.pk: username for username, case in taken.items()}
    assert CaseEvent.objects.filter(code=CaseEvent.Code.ASSIGNED).count() == 10


# A change of assignee and its reason.


def test_a_change_of_assignee_is_recorded_with_who_from_whom_to_whom_and_why(make_case, reviewer, reviewer_client):
    ann, bob = reviewers("ann", "bob")
    case = make_case()
    case_change(case, actor=ann, assigned_to=ann)
    url = reverse("admin:cases_case_change", args=[case.pk])
    page = reviewer_client.get(url).content.decode()
    assert 'name="reason"' in page and "Reason for the change of assignee" in page
    assert re.search(r'<option value="\d+" selected>Helpdesk</option>', page)  # its team, which staff may change
    response = reviewer_client.post(url, edit_data(case, assigned_to=bob.pk, reason="  Ann is on leave.  "))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == bob
    event = case.events.get(code=CaseEvent.Code.REASSIGNED)
    assert (event.actor, event.params) == (reviewer, {"old": "ann", "new": "bob", "reason": "Ann is on leave."})
    assert event.description == "Reassigned from ann to bob. Reason: Ann is on leave."
    with translation.override("fr"):
        assert event.description == "Réattribuée de ann à bob. Motif\u00a0: Ann is on leave."
    # Without a reason, and taken off everyone with one.
    reviewer_client.post(url, edit_data(case, assigned_to=ann.pk))
    reviewer_client.post(url, edit_data(Case.objects.get(pk=case.pk), assigned_to="", reason="Back to the queue"))
    assert [description for description, _actor in trail(case)][-2:] == [
        "Reassigned from bob to ann",
        "Unassigned from ann. Reason: Back to the queue",
    ]


def test_a_reason_without_a_change_of_assignee_is_refused_and_kept(make_case, reviewer, reviewer_client):
    (ann,) = reviewers("ann")
    case = make_case()
    case_change(case, actor=ann, assigned_to=ann)
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = reviewer_client.post(url, edit_data(case, status="in_progress", reason="Because"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The assignee is the same: change it to give a reason, or leave the reason empty." in page
    assert 'value="Because"' in page
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and not case.events.filter(code=CaseEvent.Code.REASSIGNED).exists()
