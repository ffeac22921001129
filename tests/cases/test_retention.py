"""anonymise_closed_cases removes personal data after retention, keeping the service figures."""

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from cases.models import Case
from cases.services import case_add_note, case_change


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
