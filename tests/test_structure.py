"""The apps depend one way: cases uses triage and helpdesk, triage uses helpdesk, helpdesk uses neither."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_triage_does_not_import_cases():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in (ROOT / "triage").rglob("*.py")
        if "migrations" not in path.parts
        for name in imported_modules(path)
        if name == "cases" or name.startswith("cases.")
    }
    assert not offenders, offenders


def test_triage_reads_no_case_by_name():
    """No side door either: triage counts cases filed per outcome through what cases registers
    (triage.analytics.FILED_COUNTERS), never by looking the model up by its name."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "triage").rglob("*.py")
        if "migrations" not in path.parts
        for text in [path.read_text(encoding="utf-8")]
        if 'get_model("cases"' in text or "cases.Case" in text or "cases_case" in text
    ]
    assert not offenders, offenders


def test_cases_registers_its_filed_counter():
    from cases.selectors import cases_filed_per_outcome
    from triage.analytics import FILED_COUNTERS

    assert list(FILED_COUNTERS) == [cases_filed_per_outcome]


def test_only_services_write_the_audit_trail():
    """Views and admin pages ask a service to record what happened; none writes a CaseEvent itself."""
    services = {"services.py", "conversation.py", "attempts.py", "outbox.py", "models.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "cases").rglob("*.py")
        if "migrations" not in path.parts and path.name not in services
        if "CaseEvent.objects.create" in path.read_text(encoding="utf-8")
        or "CaseEvent(" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_helpdesk_imports_neither_triage_nor_cases():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in (ROOT / "helpdesk").rglob("*.py")
        if "migrations" not in path.parts
        for name in imported_modules(path)
        if name.split(".")[0] in {"triage", "cases"}
    }
    assert not offenders, offenders


def test_one_name_for_the_helpdesk_time_zone():
    """helpdesk.calendar.HELPDESK_TZ is the only place the apps name the zone."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("helpdesk", "triage", "cases", "signin")
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "calendar.py"
        if "America/Toronto" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders
