"""generate_cases fills the database with valid made-up cases for benchmarks."""

import io

from django.core.management import call_command

from cases.intake.references import normalise
from cases.models import Case
from helpdesk.calendar import HELPDESK_TZ


def test_generate_cases(db):
    """The cases have valid, distinct references and targets at 19:00 Toronto."""
    call_command("generate_cases", "--count", "300", stdout=io.StringIO())
    cases = list(Case.objects.all())
    assert len(cases) == 300
    assert len({case.reference for case in cases}) == 300
    for case in cases:
        assert normalise(case.reference) == case.reference
        assert case.due_at > case.received_at
        assert case.due_at.astimezone(HELPDESK_TZ).hour == 19


def test_generated_history_looks_like_a_helpdesk(db):
    """Months of cases in both classes and languages, mostly answered on time, some late, a few
    overdue, some follow-ups; every target by the real rule."""
    from cases.models import Message

    call_command("generate_cases", "--count", "600", "--months", "6", stdout=io.StringIO())
    cases = list(Case.objects.all())
    answered = [case for case in cases if case.first_response_at]
    late = [case for case in answered if case.first_response_at > case.due_at]
    assert {case.response_class for case in cases} == {"standard", "financial"}
    assert {case.language for case in cases} == {"en", "fr"}
    assert 0.03 < len(late) / len(answered) < 0.2
    assert any(case.is_overdue for case in cases)
    follow_ups = Message.objects.filter(kind="follow_up")
    assert follow_ups.count() > 30
    for message in follow_ups.select_related("case"):
        assert message.created_at > message.case.first_response_at and message.due_at > message.created_at
    waiting = {message.case_id: message.due_at for message in follow_ups.filter(answered_at__isnull=True)}
    for case in cases:
        expected = case.due_at if case.first_response_at is None else waiting.get(case.pk)
        assert case.reply_due_at == expected, case.reference
