"""Staff told of news about cases by email, as each chose: a new case in their team's queue, a case
assigned to them, a client's follow-up or "No", at once, in the 7 am digest on business days, or never;
each once, in their language, naming the case and never quoting the client."""

from datetime import datetime

import pytest
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.conversation.services import case_follow_up
from cases.models import Case, CaseEvent, OutboundEmail, StaffNotification, StaffProfile, Team
from cases.notifications.digests import send_digests
from cases.satisfaction.services import case_answer_resolved
from cases.services import case_change
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import ClosureDay, Topic
from tests.cases.test_admin import edit_data
from tests.conftest import CONTACT, make_staff

Kind = StaffNotification.Kind


def eastern(*args):
    return datetime(*args, tzinfo=HELPDESK_TZ)


def staff(username, **fields):
    return make_staff(username, "Case reviewers", email=f"{username}@cbsa.example", **fields)


def choose(user, **choices):
    """Set `user`'s choices of notifications, e.g. new_case="at_once"."""
    StaffProfile.objects.update_or_create(user=user, defaults={f"notify_{k}": v for k, v in choices.items()})


@pytest.fixture
def team(db):
    """Payments, owning the topic rm-account: mia and max, max its lead."""
    made = Team.objects.create(name_en="Payments", name_fr="Paiements")
    made.topics.set(Topic.objects.filter(slug="rm-account"))
    made.members.set([staff("mia"), staff("max")])
    made.leads.set(made.members.filter(username="max"))
    return made


@pytest.fixture
def sent(mailoutbox, django_capture_on_commit_callbacks):
    """Run the callable given, its emails sent once it commits; the staff emails sent, (to, subject)."""

    def run(action, *args, **kwargs):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = action(*args, **kwargs)
        run.result = result
        return [(m.to[0], m.subject) for m in mailoutbox[before:] if m.to[0].endswith("@cbsa.example")]

    return run


def user(username):
    from django.contrib.auth.models import User

    return User.objects.get(username=username)


def test_a_new_case_waits_for_the_digest_by_default_or_goes_at_once(team, make_case, sent):
    choose(user("mia"), new_case="at_once")
    mail = sent(make_case, "rm-account")
    case = sent.result
    assert mail == [("mia@cbsa.example", f"New case in your team's queue: {case.display_reference}")]
    waiting = StaffNotification.objects.get(recipient__username="max")
    assert (waiting.kind, waiting.delivery, waiting.email) == (Kind.NEW_CASE, "digest", None)
    assert waiting.event.code == CaseEvent.Code.RECEIVED


def test_a_case_of_another_team_tells_nobody_here(team, make_case, sent):
    assert sent(make_case, "cad") == []
    assert not StaffNotification.objects.exists()


def test_a_case_assigned_in_turn_tells_its_assignee_not_as_new(team, make_case, sent):
    Team.objects.filter(pk=team.pk).update(round_robin=True)
    choose(user("mia"), new_case="at_once")
    choose(user("max"), new_case="at_once")
    mail = sent(make_case, "rm-account")
    case = sent.result
    assignee, other = (case.assigned_to.username, ({"mia", "max"} - {case.assigned_to.username}).pop())
    assert sorted(mail) == sorted(
        [
            (f"{assignee}@cbsa.example", f"Case assigned to you: {case.display_reference}"),
            (f"{other}@cbsa.example", f"New case in your team's queue: {case.display_reference}"),
        ]
    )


def test_assigning_tells_the_assignee_unless_they_took_it(team, make_case, sent):
    case = make_case("rm-account")
    mia, max_ = user("mia"), user("max")
    assert sent(case_change, case, actor=max_, assigned_to=mia) == [
        ("mia@cbsa.example", f"Case assigned to you: {case.display_reference}")
    ]
    assert sent(case_change, case, actor=max_, assigned_to=max_) == []
    choose(mia, assigned="never")
    assert sent(case_change, case, actor=max_, assigned_to=mia) == []


def test_a_follow_up_tells_the_assignee_or_else_the_team(team, make_case, sent, clock):
    clock.to(eastern(2026, 11, 24, 10, 0))
    case = make_case("rm-account")
    mail = sent(case_follow_up, case, body="Any news? My number is 555-0100.", language="en")
    subject = f"Client's follow-up: {case.display_reference}"
    assert sorted(mail) == [("max@cbsa.example", subject), ("mia@cbsa.example", subject)]
    case_change(case, actor=None, assigned_to=user("mia"))
    assert sent(case_follow_up, case, body="Again?", language="en") == [("mia@cbsa.example", subject)]


def test_the_email_names_the_case_and_never_quotes_the_client(team, make_case, mailoutbox, sent, clock):
    clock.to(eastern(2026, 11, 24, 10, 0))
    case = make_case("rm-account")
    case_change(case, actor=None, assigned_to=user("mia"))
    mailoutbox.clear()
    sent(case_follow_up, case, body="Secret details 555-0100", language="en")
    (email,) = mailoutbox
    body, html = email.body, email.alternatives[0].content
    case_url = settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk])
    for part in (body, html):
        assert case.display_reference in part and "Secret details" not in part and CONTACT["full_name"] not in part
        # The follow-up's own target: 15 business days, for a financial account.
        assert "Reply due by 7 p.m. Eastern time on Tuesday, December 15, 2026." in part
    assert case_url in body and f'href="{case_url}"' in html


def test_only_active_staff_allowed_to_view_cases_and_present_are_told(team, make_case, sent, clock):
    clock.to(eastern(2026, 11, 24, 10, 0))
    outsider = make_staff("ned", email="ned@cbsa.example")  # in no group: may not view cases
    gone = staff("gus", is_active=False)
    away = staff("ava")
    StaffProfile.objects.create(user=away, away_from=eastern(2026, 11, 23).date())
    team.members.add(outsider, gone, away)
    case = make_case("rm-account")
    sent(case_follow_up, case, body="Hello", language="en")
    told = set(StaffNotification.objects.filter(kind=Kind.FOLLOW_UP).values_list("recipient__username", flat=True))
    assert told == {"mia", "max"}


def test_a_no_tells_the_assignee_by_email(team, make_case, sent):
    case = make_case("rm-account")
    case_change(case, actor=None, assigned_to=user("mia"), status=Case.Status.RESOLVED)
    mail = sent(case_answer_resolved, case, answer="no", comment="Still broken, call 555-0100", language="en")
    assert mail == [("mia@cbsa.example", f"Request not resolved, the client says: {case.display_reference}")]


def test_emails_are_in_the_language_chosen_else_the_browsers_at_sign_in(team, make_case, sent, clock):
    clock.to(eastern(2026, 11, 24, 10, 0))
    mia, max_ = user("mia"), user("max")
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "fr"
    user_logged_in.send(sender=type(max_), request=request, user=max_)
    choose(mia, new_case="at_once")
    StaffProfile.objects.filter(user=mia).update(language="fr", signed_in_language="en")
    choose(max_, new_case="at_once")
    subjects = [subject for _to, subject in sent(make_case, "rm-account")]
    case = sent.result
    assert subjects == [f"Nouvelle demande dans la file de votre équipe\u00a0: {case.display_reference}"] * 2
    assert StaffProfile.objects.get(user=max_).signed_in_language == "fr"


def test_moving_a_case_to_another_team_is_recorded_and_tells_its_members(team, make_case, sent, reviewer_client):
    other = Team.objects.create(name_en="Trade", name_fr="Commerce")
    other.members.add(staff("tia"))
    choose(user("tia"), new_case="at_once")
    case = make_case("rm-account")
    change = reverse("admin:cases_case_change", args=[case.pk])
    response = reviewer_client.post(change, edit_data(case, team=other.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.team == other
    event = case.events.get(code=CaseEvent.Code.MOVED)
    assert event.params == {"old": "Payments", "new": "Trade"} and event.actor.username == "reviewer"
    assert StaffNotification.objects.filter(kind=Kind.NEW_CASE, recipient__username="tia", event=event).exists()


# The daily digest.


@pytest.fixture
def waiting(team, make_case, clock):
    """Two new cases filed on Monday 23 November 2026, waiting for mia's and max's digests."""
    clock.to(eastern(2026, 11, 23, 15, 0))
    return [make_case("rm-account"), make_case("rm-account")]


def test_the_digest_goes_at_7_on_the_next_business_day_once(waiting, sent, clock):
    clock.to(eastern(2026, 11, 24, 6, 59))
    assert sent(send_digests) == []
    clock.to(eastern(2026, 11, 24, 7, 0))
    mail = sent(send_digests)
    subject = "Your daily digest: 2 notices about cases"
    assert sorted(mail) == [("max@cbsa.example", subject), ("mia@cbsa.example", subject)]
    clock.to(eastern(2026, 11, 24, 7, 5))
    assert sent(send_digests) == []
    assert not StaffNotification.objects.filter(email=None).exists()


def test_the_digest_lists_each_case_without_the_clients_words(waiting, mailoutbox, sent, clock):
    clock.to(eastern(2026, 11, 24, 8, 0))
    sent(send_digests)
    email = next(m for m in mailoutbox if m.to == ["mia@cbsa.example"])
    for case in waiting:
        assert case.display_reference in email.body and case.display_reference in email.alternatives[0].content
    assert "New cases in your team's queue (2)" in email.body
    assert CONTACT["description"] not in email.body and CONTACT["full_name"] not in email.body
    assert settings.SITE_URL + reverse("admin:cases_staffprofile_mine") in email.body


@pytest.mark.parametrize(
    "day",
    [
        eastern(2026, 11, 28, 9, 0),  # Saturday
        eastern(2026, 12, 25, 9, 0),  # Christmas Day
    ],
)
def test_no_digest_on_a_day_the_helpdesk_is_closed(waiting, sent, clock, day):
    clock.to(day)
    assert sent(send_digests) == []


def test_no_digest_on_a_closure_day(waiting, sent, clock):
    ClosureDay.objects.create(date=eastern(2026, 11, 24).date(), reason_en="Storm", reason_fr="Tempête")
    clock.to(eastern(2026, 11, 24, 9, 0))
    assert sent(send_digests) == []
    clock.to(eastern(2026, 11, 25, 7, 0))
    assert len(sent(send_digests)) == 2


def test_what_comes_after_7_waits_for_the_next_digest(waiting, make_case, sent, clock):
    clock.to(eastern(2026, 11, 24, 7, 30))
    late = make_case("rm-account")
    assert len(sent(send_digests)) == 2
    digest = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.STAFF_DIGEST).first()
    assert late not in {notification.case for notification in digest.notifications.all()}
    clock.to(eastern(2026, 11, 25, 7, 0))
    assert len(sent(send_digests)) == 2
    assert not StaffNotification.objects.filter(email=None).exists()


def test_a_digest_is_in_the_recipients_language(waiting, mailoutbox, sent, clock):
    StaffProfile.objects.create(user=user("mia"), language="fr")
    clock.to(eastern(2026, 11, 24, 7, 0))
    sent(send_digests)
    email = next(m for m in mailoutbox if m.to == ["mia@cbsa.example"])
    assert email.subject == "Votre résumé quotidien\u00a0: 2 avis sur des demandes"
    assert "Nouvelles demandes dans la file de votre équipe (2)" in email.body


def test_a_digest_to_staff_is_on_no_cases_audit_trail(waiting, sent, clock):
    clock.to(eastern(2026, 11, 24, 7, 0))
    sent(send_digests)
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.STAFF_DIGEST, status="sent").count() == 2
    assert not CaseEvent.objects.filter(code=CaseEvent.Code.EMAIL_SENT, params__kind="staff_digest").exists()


def test_telling_a_team_costs_the_same_queries_however_many_members(team, make_case, django_assert_num_queries):
    for member in team.members.all():
        choose(member, new_case="at_once")
    make_case("rm-account")  # the first filing reads what is cached after
    with CaptureQueriesContext(connection) as few:
        make_case("rm-account")
    for number in range(20):
        member = staff(f"member{number}")
        team.members.add(member)
        choose(member, new_case="at_once" if number % 2 else "digest")
    with django_assert_num_queries(len(few.captured_queries)):
        make_case("rm-account")
    assert StaffNotification.objects.filter(kind=Kind.NEW_CASE).count() == 2 + 2 + 22


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_send_each_notification_once(seeded, team, make_case, clock):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    clock.to(eastern(2026, 11, 23, 15, 0))
    for _number in range(3):
        make_case("rm-account")
    clock.to(eastern(2026, 11, 24, 7, 0))

    def one_run(_):
        try:
            return send_digests()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(one_run, range(4))) == 2
    digests = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.STAFF_DIGEST)
    assert sorted(digests.values_list("recipient__username", flat=True)) == ["max", "mia"]
    assert [digest.notifications.count() for digest in digests] == [3, 3]
