"""generate_cases fills the database with valid made-up cases for benchmarks."""

import io

from django.core.management import call_command

from cases.business_days import HELPDESK_TZ
from cases.models import Case
from cases.references import normalise


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
