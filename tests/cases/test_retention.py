"""anonymise_closed_cases removes personal data after retention, keeping the service figures."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.services import CaseRuleError, case_add_note, case_change, cases_anonymise_closed
from tests.cases.test_admin import edit_data


def close(case, actor, days_ago):
    case_change(case, actor=actor, status=Case.Status.RESOLVED)
    case_change(case, actor=actor, status=Case.Status.CLOSED)
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days_ago))


def test_anonymise_closed_cases(make_case, admin_user):
    """Closed past retention: blanked; closed recently or still open: untouched."""
    old, recent, open_case = make_case(), make_case(), make_case()
    close(old, admin_user, days_ago=40)
    close(recent, admin_user, days_ago=10)
    Case.objects.filter(pk=open_case.pk).update(received_at=timezone.now() - timedelta(days=400))
    case_add_note(old, author=admin_user, text="Client said: call me at 613-555-0100")
    out = io.StringIO()
    call_command("anonymise_closed_cases", "--older-than", "30", stdout=out)
    assert "1 closed case(s)" in out.getvalue()
    old.refresh_from_db()
    for field in ("full_name", "email", "telephone", "business_name", "business_number", "description"):
        assert getattr(old, field) == ""
    assert old.anonymised_at is not None
    assert old.topic_id and old.received_at and old.due_at and old.status == "closed" and old.response_class
    assert "613-555-0100" not in old.notes.get().text
    assert old.events.last().description == "Personal data removed after the retention period"
    for untouched in (recent, open_case):
        untouched.refresh_from_db()
        assert untouched.email == "ann@example.org" and untouched.anonymised_at is None


def test_anonymise_uses_the_configured_retention(make_case, admin_user, settings):
    """Without --older-than, CASE_RETENTION_DAYS applies; running twice changes nothing more."""
    settings.CASE_RETENTION_DAYS = 5
    case = make_case()
    close(case, admin_user, days_ago=6)
    call_command("anonymise_closed_cases", stdout=io.StringIO())
    out = io.StringIO()
    call_command("anonymise_closed_cases", stdout=out)
    assert "0 closed case(s)" in out.getvalue()
    case.refresh_from_db()
    assert case.email == ""


def test_no_note_on_an_anonymised_case(make_case, admin_user):
    """Once personal data is removed, a note (which may hold some) cannot be added to the case."""
    case = make_case()
    close(case, admin_user, days_ago=40)
    case_add_note(case, author=admin_user, text="Client asked for a call back.")
    cases_anonymise_closed(older_than_days=30)
    with pytest.raises(CaseRuleError):
        case_add_note(case, author=admin_user, text="Client called again: 613-555-0100")
    assert [note.text for note in case.notes.all()] == ["(removed after the retention period)"]
    assert case.events.filter(code="note_added").count() == 1


def test_admin_offers_no_note_box_on_an_anonymised_case(make_case, admin_user, admin_client):
    """The change page of an anonymised case has no box for a new note; an open case's has one."""
    old, open_case = make_case(), make_case()
    close(old, admin_user, days_ago=40)
    cases_anonymise_closed(older_than_days=30)
    page = admin_client.get(reverse("admin:cases_case_change", args=[old.pk])).content.decode()
    assert "New internal note" not in page and "Personal data removed after the retention period" in page
    page = admin_client.get(reverse("admin:cases_case_change", args=[open_case.pk])).content.decode()
    assert "New internal note" in page


def test_note_sent_from_a_page_opened_before_anonymisation_is_refused(make_case, admin_user, admin_client):
    """A note typed on a page opened before the case was anonymised is not stored, and staff are told."""
    case = make_case()
    close(case, admin_user, days_ago=40)
    case.refresh_from_db()
    data = edit_data(case, **{"notes-2-0-text": "Client called again: 613-555-0100"})
    cases_anonymise_closed(older_than_days=30)
    response = admin_client.post(reverse("admin:cases_case_change", args=[case.pk]), data, follow=True)
    assert "no note can be added to it" in response.content.decode()
    assert not case.notes.exists()


def test_pending_acknowledgment_of_an_anonymised_case_is_skipped(make_case, admin_user):
    """An anonymised case has no address left: its queued email is cancelled, never sent."""
    old, recent = make_case(), make_case()  # their acknowledgments queued, not sent yet
    close(old, admin_user, days_ago=40)
    cases_anonymise_closed(older_than_days=30)
    # Its acknowledgment, and the resolution email closing it queued.
    assert sorted(old.emails.values_list("kind", "status")) == [
        ("acknowledgment", "cancelled"),
        ("resolution", "cancelled"),
    ]
    out = io.StringIO()
    call_command("send_queued_emails", "--now", stdout=out)
    assert "1 email(s) sent, 0 to try again later, 0 failed for good, 0 cancelled." in out.getvalue()
    assert [message.to for message in mail.outbox] == [["ann@example.org"]]
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.acknowledged_at is None and recent.acknowledged_at is not None
