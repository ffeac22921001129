"""The staff warnings through the helpdesk's calendar, with the clock really moved (time-machine): the
open hours of an afternoon, weekends, Easter, the civic holiday, closure days and both clock changes
count as the case list's "Due soon" does, warnings are given only while the helpdesk is open, and each
is sent once however often the check runs, by the service or by `manage.py check_due_cases`."""

import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.management import call_command

from cases.models import Case, StaffNotification, Team
from cases.warnings.services import check_due_cases
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import ClosureDay
from tests.cases.test_due_warnings import staff

MIA, LEA = "mia@cbsa.example", "lea@cbsa.example"


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def travel(moment):
    """The clock stopped at `moment`, given to time-machine in UTC so that the process's zone stays as it is."""
    return time_machine.travel(moment.astimezone(UTC), tick=False)


@pytest.fixture
def team(db):
    made = Team.objects.create(name_en="Payments", name_fr="Paiements")
    made.members.set([staff("mia"), staff("lea")])
    made.leads.set(made.members.filter(username="lea"))
    return made


@pytest.fixture
def file(make_case, team):
    """file(due, at): a case filed at `at`, assigned to mia of the team, its next reply due at `due`."""

    def make(due, at):
        with travel(at):
            case = make_case()
        mia = team.members.get(username="mia")
        Case.objects.filter(pk=case.pk).update(reply_due_at=due, team=team, assigned_to=mia)
        case.refresh_from_db()
        return case

    return make


@pytest.fixture(params=["service", "command"])
def check(request, django_capture_on_commit_callbacks, mailoutbox, capsys):
    """check(moment): check_due_cases run at `moment` with no `now` given (by the service or the command),
    its emails sent once it commits; the staff emails that run sent, as (address, subject), sorted.
    What the run says it queued is what was sent."""

    def run(moment):
        before = len(mailoutbox)
        with travel(moment), django_capture_on_commit_callbacks(execute=True):
            if request.param == "service":
                sent = check_due_cases()
            else:
                call_command("check_due_cases")
                soon, missed = re.search(r"(\d+) due soon, (\d+) missed", capsys.readouterr().out).groups()
                sent = {"due_soon": int(soon), "missed": int(missed)}
        mail = sorted((email.to[0], email.subject) for email in mailoutbox[before:] if "@cbsa.example" in email.to[0])
        told = {
            "due_soon": sum(subject.startswith("Reply due soon") for _to, subject in mail),
            "missed": sum(subject.startswith("Reply target missed") for _to, subject in mail),
        }
        assert sent == told
        return mail

    return run


def soon(case, to=MIA):
    return (to, f"Reply due soon: {case.display_reference}")


def missed(case, to=LEA):
    return (to, f"Reply target missed: {case.display_reference}")


def test_a_target_at_closing_time_is_warned_in_the_afternoon_then_escalated_once(file, check):
    """Due Tuesday 8 December 2026 at 19:00: not the evening before (12 open hours ahead), nor at 14:59,
    but at 15:00, 4 open hours before; escalated to the lead once past, each email sent once."""
    case = file(eastern(2026, 12, 8, 19, 0), at=eastern(2026, 12, 7, 9, 0))
    assert check(eastern(2026, 12, 7, 20, 0)) == []
    assert check(eastern(2026, 12, 8, 14, 59)) == []
    assert check(eastern(2026, 12, 8, 15, 0)) == [soon(case)]
    assert check(eastern(2026, 12, 8, 17, 30)) == []
    assert check(eastern(2026, 12, 8, 19, 0)) == []  # due now: not missed yet
    assert check(eastern(2026, 12, 8, 19, 1)) == [missed(case)]
    assert check(eastern(2026, 12, 8, 20, 0)) == []
    assert check(eastern(2026, 12, 9, 9, 0)) == []
    assert list(StaffNotification.objects.order_by("kind").values_list("kind", "recipient__username")) == [
        (StaffNotification.Kind.DUE_SOON, "mia"),
        (StaffNotification.Kind.MISSED, "lea"),
    ]


def test_an_evening_target_is_warned_in_the_open_hours_before_it(file, check):
    """Due Tuesday at 21:00, after closing: the last 4 open hours before it end at 19:00, so the warning
    comes in the afternoon, once 15:00 has passed, not in the evening."""
    case = file(eastern(2026, 12, 8, 21, 0), at=eastern(2026, 12, 7, 9, 0))
    assert check(eastern(2026, 12, 8, 15, 0)) == []
    assert check(eastern(2026, 12, 8, 15, 5)) == [soon(case)]
    assert check(eastern(2026, 12, 8, 20, 0)) == []
    assert check(eastern(2026, 12, 8, 21, 5)) == [missed(case)]


def test_a_monday_nine_target_is_warned_at_seven_on_monday_not_over_the_weekend(file, check, settings):
    """With a threshold of 2 open hours, Monday 14 December 2026 at 9:00 is not due soon on Friday
    afternoon (1 open hour left on Friday, 1 on Monday reach 8:00). From Friday's closing on it is,
    the weekend counting nothing, but nobody is there to act: the warning waits for the helpdesk to
    open on Monday at 7:00, once; Monday 9:01 is warned at 7:01."""
    settings.DUE_SOON_OPEN_HOURS = 2
    case = file(eastern(2026, 12, 14, 9, 0), at=eastern(2026, 12, 10, 9, 0))
    later = file(eastern(2026, 12, 14, 9, 1), at=eastern(2026, 12, 10, 9, 0))
    assert check(eastern(2026, 12, 11, 18, 0)) == []
    assert check(eastern(2026, 12, 11, 21, 0)) == []  # Friday night
    assert check(eastern(2026, 12, 13, 12, 0)) == []  # Sunday
    assert check(eastern(2026, 12, 14, 6, 59)) == []
    assert check(eastern(2026, 12, 14, 7, 0)) == [soon(case)]
    assert check(eastern(2026, 12, 14, 7, 1)) == [soon(later)]
    assert check(eastern(2026, 12, 14, 8, 0)) == []


def test_a_monday_nine_target_first_seen_on_monday_is_warned_at_seven(file, check, settings):
    """The checks stopped on Friday at 17:00 and came back on Monday at 7:00: the warning is sent then."""
    settings.DUE_SOON_OPEN_HOURS = 2
    case = file(eastern(2026, 12, 14, 9, 0), at=eastern(2026, 12, 10, 9, 0))
    assert check(eastern(2026, 12, 11, 17, 0)) == []
    assert check(eastern(2026, 12, 14, 7, 0)) == [soon(case)]
    assert check(eastern(2026, 12, 14, 8, 0)) == []


def test_good_friday_and_easter_monday_count_nothing(file, check):
    """Thursday 25 March 2027: Good Friday (26) and Easter Monday (29) are holidays. From 16:59, 2:01
    open hours on Thursday and 1:59 on Tuesday 30 reach 8:59; from 17:00, 9:00 exactly. Nothing is
    warned on the holidays; on Tuesday at 7:00, 4 open hours reach 11:00."""
    case = file(eastern(2027, 3, 30, 9, 0), at=eastern(2027, 3, 22, 9, 0))
    after = file(eastern(2027, 3, 30, 9, 1), at=eastern(2027, 3, 22, 9, 0))
    assert check(eastern(2027, 3, 25, 16, 59)) == []
    assert check(eastern(2027, 3, 25, 17, 0)) == [soon(case)]
    assert check(eastern(2027, 3, 26, 12, 0)) == []  # Good Friday
    assert check(eastern(2027, 3, 29, 12, 0)) == []  # Easter Monday
    assert check(eastern(2027, 3, 30, 7, 0)) == [soon(after)]
    assert check(eastern(2027, 3, 30, 9, 2)) == sorted([missed(case), missed(after)])


def test_on_easter_monday_the_count_starts_on_tuesday(file, check):
    """Easter Monday 29 March 2027: nothing is warned; Tuesday at 7:00, 4 open hours reach 11:00."""
    due = file(eastern(2027, 3, 30, 11, 0), at=eastern(2027, 3, 22, 9, 0))
    file(eastern(2027, 3, 30, 11, 1), at=eastern(2027, 3, 22, 9, 0))
    assert check(eastern(2027, 3, 29, 10, 0)) == []
    assert check(eastern(2027, 3, 30, 7, 0)) == [soon(due)]


def test_the_civic_holiday_counts_nothing(file, check):
    """The first Monday of August is a designated holiday of the federal public service in Ontario, and
    of the helpdesk's calendar: from Friday 30 July 2027 at 17:00, 4 open hours reach Tuesday 3 August
    at 9:00, skipping Monday 2 August, on which nothing is warned."""
    case = file(eastern(2027, 8, 3, 9, 0), at=eastern(2027, 7, 26, 9, 0))
    after = file(eastern(2027, 8, 3, 9, 1), at=eastern(2027, 7, 26, 9, 0))
    assert check(eastern(2027, 7, 30, 16, 59)) == []
    assert check(eastern(2027, 7, 30, 17, 0)) == [soon(case)]
    assert check(eastern(2027, 8, 2, 10, 0)) == []  # the holiday
    assert check(eastern(2027, 8, 3, 7, 0)) == [soon(after)]
    assert check(eastern(2027, 8, 3, 9, 0, 30)) == [missed(case)]


def test_a_closure_day_counts_nothing(file, check):
    """Wednesday 9 December 2026 closed (a ClosureDay): from Tuesday at 17:00, 2 open hours on Tuesday
    and 2 on Thursday reach Thursday at 9:00; without the closure, Wednesday at 9:00. Nothing is
    warned on the closure day."""
    ClosureDay.objects.create(date=date(2026, 12, 9), reason_en="Storm", reason_fr="Tempête")
    case = file(eastern(2026, 12, 10, 9, 0), at=eastern(2026, 12, 7, 9, 0))
    after = file(eastern(2026, 12, 10, 9, 1), at=eastern(2026, 12, 7, 9, 0))
    assert check(eastern(2026, 12, 8, 16, 59)) == []
    assert check(eastern(2026, 12, 8, 17, 0)) == [soon(case)]
    assert check(eastern(2026, 12, 9, 12, 0)) == []  # the closure day
    assert check(eastern(2026, 12, 10, 7, 0)) == [soon(after)]


def test_clocks_going_forward_count_real_open_hours(file, check):
    """Clocks go forward on Sunday 14 March 2027 at 2:00. From Friday 12 March at 17:00 (EST), 4 open
    hours reach Monday 15 at 9:00 (EDT); nothing is warned on Sunday, before or after the change; from
    Monday at 7:00 (EDT, 11:00 UTC), they reach 11:00."""
    monday_nine = file(eastern(2027, 3, 15, 9, 0), at=eastern(2027, 3, 8, 9, 0))
    monday_eleven = file(eastern(2027, 3, 15, 11, 0), at=eastern(2027, 3, 8, 9, 0))
    after = file(eastern(2027, 3, 15, 11, 1), at=eastern(2027, 3, 8, 9, 0))
    assert check(eastern(2027, 3, 12, 16, 59)) == []
    assert check(eastern(2027, 3, 12, 17, 0)) == [soon(monday_nine)]
    assert check(utc(2027, 3, 14, 6, 30)) == []  # 1:30 EST, before the change
    assert check(utc(2027, 3, 14, 7, 30)) == []  # 3:30 EDT, after it
    assert check(utc(2027, 3, 15, 10, 59)) == []  # 6:59 EDT
    assert check(utc(2027, 3, 15, 11, 0)) == [soon(monday_eleven)]  # 7:00 EDT
    # 13:00 UTC is 9:00 EDT: Monday 9:00 is due now, not missed, and 4 open hours reach 13:00.
    assert check(utc(2027, 3, 15, 13, 0)) == [soon(after)]
    assert check(utc(2027, 3, 15, 13, 0, 30)) == [missed(monday_nine)]
    assert check(utc(2027, 3, 15, 13, 5)) == []


def test_clocks_going_back_count_real_open_hours(file, check):
    """Clocks go back on Sunday 1 November 2026 at 2:00. From Friday 30 October at 18:00 (EDT), 1 open
    hour on Friday and 3 on Monday reach Monday 2 November at 10:00 (EST); 1:30 happens twice on
    Sunday and warns nothing either time; Monday at 7:00 (EST, 12:00 UTC), 4 open hours reach 11:00."""
    monday_ten = file(eastern(2026, 11, 2, 10, 0), at=eastern(2026, 10, 26, 9, 0))
    monday_eleven = file(eastern(2026, 11, 2, 11, 0), at=eastern(2026, 10, 26, 9, 0))
    after = file(eastern(2026, 11, 2, 11, 1), at=eastern(2026, 10, 26, 9, 0))
    assert check(eastern(2026, 10, 30, 17, 59)) == []
    assert check(eastern(2026, 10, 30, 18, 0)) == [soon(monday_ten)]
    assert check(utc(2026, 11, 1, 5, 30)) == []  # 1:30 EDT
    assert check(utc(2026, 11, 1, 6, 30)) == []  # 1:30 EST
    assert check(utc(2026, 11, 2, 11, 59)) == []  # 6:59 EST
    assert check(utc(2026, 11, 2, 12, 0)) == [soon(monday_eleven)]  # 7:00 EST
    assert check(utc(2026, 11, 2, 14, 59)) == [soon(after)]  # 9:59 EST: 4 open hours reach 13:59
    assert check(utc(2026, 11, 2, 15, 1)) == [missed(monday_ten)]  # 10:01 EST


def test_after_a_downtime_only_the_escalation_is_sent_once(file, check):
    """The checks stopped on Tuesday at 14:00, before the case was due soon, and came back on Wednesday
    at 8:00, after its target: the leads are told, and no stale "due soon" reaches the assignee."""
    case = file(eastern(2026, 12, 8, 19, 0), at=eastern(2026, 12, 7, 9, 0))
    assert check(eastern(2026, 12, 8, 14, 0)) == []
    assert check(eastern(2026, 12, 9, 8, 0)) == [missed(case)]
    assert check(eastern(2026, 12, 9, 8, 5)) == []
    assert list(StaffNotification.objects.values_list("kind", flat=True)) == [StaffNotification.Kind.MISSED]
    case.refresh_from_db()
    assert case.is_escalated


def test_a_downtime_over_a_long_weekend_still_escalates_once(file, check):
    """Due Thursday 25 March 2027 at 19:00, last checked at 12:00 before it was due soon, the checks
    back on Easter Monday: only the escalation, once."""
    case = file(eastern(2027, 3, 25, 19, 0), at=eastern(2027, 3, 22, 9, 0))
    assert check(eastern(2027, 3, 25, 12, 0)) == []
    assert check(eastern(2027, 3, 29, 10, 0)) == [missed(case)]
    assert check(eastern(2027, 3, 30, 7, 0)) == []
