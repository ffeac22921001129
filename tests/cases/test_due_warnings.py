"""Warnings to staff before a reply target is missed, and escalation to the team's leads when it is
(`manage.py check_due_cases`): counted in the helpdesk's open hours, each sent once, in the
recipient's language, quoting nothing the client wrote."""

from datetime import date, datetime
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from cases.models import Case, CaseEvent, OutboundEmail, StaffNotification, StaffProfile, Team
from cases.warnings.services import check_due_cases
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import ClosureDay
from tests.conftest import CONTACT, make_staff

Kind = StaffNotification.Kind


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def staff(username, **fields):
    return make_staff(username, "Case reviewers", email=f"{username}@cbsa.example", **fields)


@pytest.fixture
def team(db):
    made = Team.objects.create(name_en="Payments", name_fr="Paiements")
    made.members.set([staff("mia"), staff("max"), staff("lea")])
    made.leads.set(made.members.filter(username="lea"))
    return made


def filed(make_case, team, due, assignee=None):
    """A case of `team` whose next reply is due at `due`, assigned to `assignee` (or no one)."""
    case = make_case()
    Case.objects.filter(pk=case.pk).update(reply_due_at=due, team=team, assigned_to=assignee)
    case.refresh_from_db()
    return case


def run(clock, moment, capture):
    """check_due_cases at `moment`, its emails sent once it commits; the staff emails sent, by address."""
    clock.to(moment)
    with capture(execute=True):
        check_due_cases()


def staff_mail(mailoutbox):
    return sorted((email.to[0], email.subject) for email in mailoutbox if email.to[0].endswith("@cbsa.example"))


@pytest.fixture
def check(clock, django_capture_on_commit_callbacks):
    return lambda moment: run(clock, moment, django_capture_on_commit_callbacks)


def test_the_assignee_is_warned_once_within_the_open_hours(make_case, team, check, mailoutbox):
    """Tuesday 17:00, 4 open hours reach Wednesday 9:00: a target then is due soon; run twice, one email."""
    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 25, 9, 0), assignee=mia)
    later = filed(make_case, team, eastern(2026, 11, 25, 9, 30), assignee=mia)
    check(eastern(2026, 11, 24, 17, 0))
    check(eastern(2026, 11, 24, 17, 5))
    assert staff_mail(mailoutbox) == [("mia@cbsa.example", f"Reply due soon: {case.display_reference}")]
    assert not later.staff_notifications.exists()


def test_a_monday_morning_target_is_warned_when_the_helpdesk_opens_not_over_the_weekend(
    make_case, team, check, mailoutbox
):
    mia = team.members.get(username="mia")
    filed(make_case, team, eastern(2026, 11, 30, 10, 0), assignee=mia)  # Monday 10:00: 3 open hours
    filed(make_case, team, eastern(2026, 11, 30, 11, 30), assignee=mia)  # 4.5 open hours: not yet
    check(eastern(2026, 11, 27, 19, 30))  # Friday evening: closed
    check(eastern(2026, 11, 29, 12, 0))  # Sunday
    assert staff_mail(mailoutbox) == []
    check(eastern(2026, 11, 30, 7, 0))  # Monday, as the helpdesk opens
    assert len(staff_mail(mailoutbox)) == 1


def test_easter_monday_and_a_closure_day_count_nothing(make_case, team, check, mailoutbox):
    """Thursday 2 April 2026, 17:00: Good Friday and Easter Monday are holidays, Tuesday a closure day:
    2 open hours on Thursday, then 2 on Wednesday reach 9:00 on Wednesday 8 April."""
    ClosureDay.objects.create(date=date(2026, 4, 7), reason_en="Storm", reason_fr="Tempête")
    mia = team.members.get(username="mia")
    soon = filed(make_case, team, eastern(2026, 4, 8, 9, 0), assignee=mia)
    filed(make_case, team, eastern(2026, 4, 8, 9, 1), assignee=mia)
    check(eastern(2026, 4, 2, 17, 0))
    assert [warning.case for warning in StaffNotification.objects.all()] == [soon]


def test_the_clock_change_is_counted_in_real_hours(make_case, team, check, mailoutbox):
    """Friday 30 October 2026 at 17:00 (EDT) to Monday 2 November (EST; clocks go back on Sunday): 2 open
    hours on Friday and 2 on Monday reach 9:00 on Monday, Eastern time."""
    mia = team.members.get(username="mia")
    soon = filed(make_case, team, eastern(2026, 11, 2, 9, 0), assignee=mia)
    filed(make_case, team, eastern(2026, 11, 2, 9, 1), assignee=mia)
    check(eastern(2026, 10, 30, 17, 0))
    assert [warning.case for warning in StaffNotification.objects.all()] == [soon]


def test_an_unassigned_case_warns_the_team_present_today(make_case, team, check, mailoutbox):
    StaffProfile.objects.create(user=team.members.get(username="max"), away_from=date(2026, 11, 24))
    case = filed(make_case, team, eastern(2026, 11, 24, 18, 0))
    check(eastern(2026, 11, 24, 16, 0))
    subject = f"Reply due soon: {case.display_reference}"
    assert staff_mail(mailoutbox) == [("lea@cbsa.example", subject), ("mia@cbsa.example", subject)]


def test_an_assignee_away_is_still_warned(make_case, team, check, mailoutbox):
    mia = team.members.get(username="mia")
    StaffProfile.objects.create(user=mia, away_from=date(2026, 11, 24))
    filed(make_case, team, eastern(2026, 11, 24, 18, 0), assignee=mia)
    check(eastern(2026, 11, 24, 16, 0))
    assert [to for to, _subject in staff_mail(mailoutbox)] == ["mia@cbsa.example"]


def test_staff_who_may_not_view_cases_or_inactive_are_not_warned(make_case, team, check, mailoutbox):
    team.members.add(make_staff("outsider", email="outsider@cbsa.example"))
    team.members.filter(username="max").update(is_active=False)
    filed(make_case, team, eastern(2026, 11, 24, 18, 0))
    check(eastern(2026, 11, 24, 16, 0))
    assert [to for to, _subject in staff_mail(mailoutbox)] == ["lea@cbsa.example", "mia@cbsa.example"]


def test_a_missed_target_is_escalated_to_the_leads_once(make_case, team, check, mailoutbox):
    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 24, 19, 0), assignee=mia)
    check(eastern(2026, 11, 24, 19, 5))
    check(eastern(2026, 11, 24, 19, 10))
    assert staff_mail(mailoutbox) == [("lea@cbsa.example", f"Reply target missed: {case.display_reference}")]
    case.refresh_from_db()
    assert case.is_escalated
    assert case.events.filter(code=CaseEvent.Code.ESCALATED).count() == 1


def test_after_a_downtime_only_the_escalation_is_sent(make_case, team, check, mailoutbox):
    """The checks stopped before the case was due soon and came back after its target: no stale warning."""
    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 24, 19, 0), assignee=mia)
    check(eastern(2026, 11, 25, 8, 0))
    assert staff_mail(mailoutbox) == [("lea@cbsa.example", f"Reply target missed: {case.display_reference}")]
    assert list(StaffNotification.objects.values_list("kind", flat=True)) == [Kind.MISSED]


def test_a_new_target_warns_again_and_is_no_longer_escalated(make_case, team, check, mailoutbox):
    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 24, 19, 0), assignee=mia)
    check(eastern(2026, 11, 24, 19, 5))
    Case.objects.filter(pk=case.pk).update(reply_due_at=eastern(2026, 11, 26, 19, 0))
    case.refresh_from_db()
    assert not case.is_escalated
    check(eastern(2026, 11, 26, 16, 0))
    assert ("mia@cbsa.example", f"Reply due soon: {case.display_reference}") in staff_mail(mailoutbox)


def test_emails_are_in_the_recipients_language_and_quote_nothing_of_the_client(make_case, team, check, mailoutbox):
    mia = team.members.get(username="mia")
    StaffProfile.objects.create(user=mia, language="fr")
    case = filed(make_case, team, eastern(2026, 11, 24, 18, 0), assignee=mia)
    check(eastern(2026, 11, 24, 16, 0))
    (email,) = [email for email in mailoutbox if email.to == ["mia@cbsa.example"]]
    assert email.subject == f"Réponse attendue bientôt\u00a0: {case.display_reference}"
    body = email.body + email.alternatives[0][0]
    assert "au plus tard le mardi 24 novembre 2026 à 18\u00a0h (heure de l'Est)." in email.body
    assert settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk]) in email.body
    for personal in (CONTACT["full_name"], CONTACT["email"], CONTACT["description"], CONTACT["business_name"]):
        assert personal not in body


def test_staff_emails_leave_the_client_alone(make_case, team, check, mailoutbox):
    """Sent to the member of staff; the audit trail names the warning, not an email to the client."""
    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 24, 18, 0), assignee=mia)
    check(eastern(2026, 11, 24, 16, 0))
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.DUE_SOON_WARNING)
    assert (email.recipient, email.status) == (mia, OutboundEmail.Status.SENT)
    event = case.events.get(code=CaseEvent.Code.EMAIL_SENT)
    assert event.description == "Email sent: warning to staff: reply due soon"
    assert not [message for message in mailoutbox if CONTACT["email"] in message.to]


def test_the_command_runs_once(make_case, team, clock, django_capture_on_commit_callbacks, capsys):
    filed(make_case, team, eastern(2026, 11, 24, 19, 0))
    clock.to(eastern(2026, 11, 24, 20, 0))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("check_due_cases")
    assert "0 due soon, 1 missed targets" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_warning_once(seeded, make_case, team, clock):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    filed(make_case, team, eastern(2026, 11, 24, 19, 0))
    clock.to(eastern(2026, 11, 24, 20, 0))

    def one_run(_):
        try:
            return check_due_cases()["missed"]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(one_run, range(4))) == 1
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.TARGET_MISSED).count() == 1


def test_the_case_list_shows_escalated_cases_in_a_constant_number_of_queries(make_case, team, check, client):
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from tests.cases.test_case_list import row
    from tests.conftest import sign_in_staff

    sign_in_staff(client, team.members.get(username="lea"))
    changelist = reverse("admin:cases_case_changelist")
    late = filed(make_case, team, eastern(2026, 11, 24, 19, 0))
    check(eastern(2026, 11, 24, 19, 5))
    waiting = filed(make_case, team, eastern(2026, 11, 24, 19, 1))  # past its target, not yet checked
    with CaptureQueriesContext(db) as one:
        page = client.get(changelist).content.decode()
    assert '<strong class="case-overdue">Overdue, escalated</strong>' in row(page, late)
    assert '<strong class="case-overdue">Overdue</strong>' in row(page, waiting)
    for _n in range(3):
        filed(make_case, team, eastern(2026, 11, 24, 19, 0))
    check(eastern(2026, 11, 24, 19, 10))
    with CaptureQueriesContext(db) as more:
        page = client.get(changelist).content.decode()
    assert page.count("Overdue, escalated") == 5
    assert len(more) == len(one)


def test_an_away_lead_is_not_told(make_case, team, check, mailoutbox):
    lead = staff("ola")
    team.members.add(lead)
    team.leads.add(lead)
    StaffProfile.objects.create(user=team.members.get(username="lea"), away_until=date(2026, 11, 24))
    filed(make_case, team, eastern(2026, 11, 24, 19, 0))
    check(eastern(2026, 11, 24, 19, 5))
    assert [to for to, _subject in staff_mail(mailoutbox)] == ["ola@cbsa.example"]


def test_a_staff_email_not_sent_is_retried_without_the_address_and_leaves_the_acknowledgment_alone(
    make_case, team, check, settings, mailoutbox
):
    from tests.cases.test_outbox import REFUSING

    mia = team.members.get(username="mia")
    case = filed(make_case, team, eastern(2026, 11, 24, 18, 0), assignee=mia)
    settings.MAILERS = REFUSING
    check(eastern(2026, 11, 24, 16, 0))
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.DUE_SOON_WARNING)
    assert (email.status, email.attempts) == (OutboundEmail.Status.QUEUED, 1)
    assert "mia@cbsa.example" not in email.last_error and "(recipient)" in email.last_error
    case.refresh_from_db()
    assert case.acknowledgment_error == ""
    assert case.events.filter(code=CaseEvent.Code.EMAIL_FAILED).get().params["kind"] == "due_soon_warning"


def test_every_checks_again_until_stopped(make_case, team, clock, monkeypatch, capsys):
    """With --every, a round follows another after the wait; SIGTERM ends the loop after its round."""
    import signal

    from cases.management import rounds as loop
    from cases.management.commands import check_due_cases as command

    rounds = []
    monkeypatch.setattr(command, "check_due_cases", lambda: rounds.append(1) or {"due_soon": 0, "missed": 0})
    handlers = {}
    monkeypatch.setattr(loop.signal, "signal", lambda number, handler: handlers.setdefault(number, handler))

    def sleep(_seconds):
        if len(rounds) == 2:
            handlers[signal.SIGTERM]()

    monkeypatch.setattr(loop.time, "sleep", sleep)
    call_command("check_due_cases", every=1)
    assert len(rounds) == 2


def test_email_subjects_keep_the_no_break_space_of_french_typography():
    """One line, squeezing ASCII spaces and line breaks only: « Réponse attendue bientôt\u00a0: » keeps its space."""
    from cases.outbox.emails import rendered_subject

    with translation.override("fr"):
        subject = rendered_subject("due_soon_warning", {"case": SimpleNamespace(display_reference="CS-7KQ-2M9-XDT")})
    assert "\u00a0:" in subject and "\n" not in subject and "  " not in subject
