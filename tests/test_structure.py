"""The apps depend one way: cases uses triage; triage imports nothing of cases."""

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
