"""The apps depend one way: cases uses triage and helpdesk, triage uses helpdesk, helpdesk uses neither."""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def python_files(app):
    """Every Python file of an app, its migrations included."""
    return sorted((ROOT / app).rglob("*.py"))


def test_triage_does_not_import_cases():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in python_files("triage")
        for name in imported_modules(path)
        if name == "cases" or name.startswith("cases.")
    }
    assert not offenders, offenders


# How code names a model of the cases app without importing it: a lazy relation or a dependency
# ("cases.Topic", 'cases.topic', ("cases", "0001_initial")), a lookup by name (get_model("cases", ...))
# or a table (cases_case).
CASES_BY_NAME = re.compile(
    r"""["']cases\.[A-Za-z]"""  # a lazy relation or a label
    r"""|\(\s*["']cases["']\s*,\s*["'](?:\d{4}|[A-Za-z]+["'])"""  # a dependency, a get_model
    r"""|\bcases_[a-z]"""  # a table
)


def test_triage_names_nothing_of_cases():
    """No side door either, migrations included: triage counts cases filed per outcome through what
    cases registers (triage.analytics.FILED_COUNTERS), never by naming the app or its models."""
    offenders = {
        str(path.relative_to(ROOT)): CASES_BY_NAME.findall(text)
        for path in python_files("triage")
        for text in [path.read_text(encoding="utf-8")]
        if CASES_BY_NAME.search(text)
    }
    assert not offenders, offenders


def test_side_doors_are_seen():
    for text in ['"cases.Topic"', "to='cases.topic'", "('cases', '0001_initial')", 'get_model("cases", "Case")']:
        assert CASES_BY_NAME.search(text), text
    assert not CASES_BY_NAME.search('("cases", _("Cases filed")), related_name="cases"')


def test_models_relate_downwards_only():
    """Each app's models point only to models of its own layer or those below it."""
    below = {"helpdesk": {"helpdesk"}, "triage": {"helpdesk", "triage"}}
    offenders = [
        f"{model._meta.label}.{field.name} -> {field.related_model._meta.label}"
        for app_label, allowed in below.items()
        for model in apps.get_app_config(app_label).get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model._meta.app_label not in allowed | {"auth"}
    ]
    assert not offenders, offenders


def test_the_project_imports_no_app():
    """carmsupport (settings, URLs, middleware, generic helpers) names the apps only in its settings
    and URLs, and imports none of their modules."""
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in python_files("carmsupport")
        for name in imported_modules(path)
        if name.split(".")[0] in {"helpdesk", "triage", "cases", "signin"}
    }
    assert not offenders, offenders


def test_cases_registers_its_filed_counter():
    from cases.selectors import cases_filed_per_outcome
    from triage.analytics import FILED_COUNTERS

    assert list(FILED_COUNTERS) == [cases_filed_per_outcome]


def test_only_services_write_the_audit_trail():
    """Views and admin pages ask a service to record what happened; none writes a CaseEvent itself."""
    services = {"services.py", "submission.py", "attempts.py", "merging.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "cases").rglob("*.py")
        if "migrations" not in path.parts and "models" not in path.parts and path.name not in services
        if "CaseEvent.objects.create" in path.read_text(encoding="utf-8")
        or "CaseEvent(" in path.read_text(encoding="utf-8")
    ]
    assert not offenders, offenders


def test_helpdesk_imports_neither_triage_nor_cases():
    offenders = {
        str(path.relative_to(ROOT)): name
        for path in python_files("helpdesk")
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
