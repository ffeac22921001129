"""deploy/.env.example names every environment variable the project reads, each with a comment and a value."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / ".env.example"
CODE = ["carmsupport", "cases", "triage", "helpdesk", "signin", "deploy"]
# Read by the code, never set by an operator: wsgi.py's default settings module.
NOT_FOR_OPERATORS = {"DJANGO_SETTINGS_MODULE"}

READ_IN_PYTHON = re.compile(
    r"""(?:os\.environ(?:\.get|\.setdefault|\.pop)?\(|os\.getenv\(|os\.environ\[|\benv_\w+\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)
READ_BY_HAPROXY = re.compile(r"\$\{([A-Z][A-Z0-9_]+)\}|defined\(([A-Z][A-Z0-9_]+)\)")


def read_in_code():
    names = set()
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            names.update(READ_IN_PYTHON.findall(path.read_text(encoding="utf-8")))
    for match in READ_BY_HAPROXY.findall((ROOT / "deploy" / "haproxy.cfg").read_text()):
        names.update(name for name in match if name)
    return names - NOT_FOR_OPERATORS


def listed():
    """The example's variables, each mapped to whether a comment line stands above it (directly or in its group)."""
    entries, commented = {}, False
    for line in EXAMPLE.read_text().splitlines():
        if line.startswith("#"):
            commented = True
        elif match := re.fullmatch(r"([A-Z][A-Z0-9_]+)=(.*)", line):
            entries[match[1]] = commented
        elif not line.strip():
            commented = False
    return entries


def test_every_variable_the_code_reads_is_in_the_example():
    """A variable read in the code, or in haproxy.cfg, and missing from deploy/.env.example fails here."""
    assert sorted(read_in_code() - set(listed())) == []


def test_the_search_finds_the_variables_it_should():
    """The search sees os.environ.get and [...], the settings' env_flag and env_list, and haproxy.cfg's ${...}."""
    found = read_in_code()
    assert {"DATABASE_URL", "CACHE_URL", "STAFF_OTP_REQUIRED", "DJANGO_ALLOWED_HOSTS", "WEB_CONCURRENCY"} <= found
    assert {"CARMSUPPORT_LISTEN", "CARMSUPPORT_APP_A", "CARMSUPPORT_HAPROXY_SOCKET"} <= found


def test_each_variable_is_listed_once_and_explained():
    """No variable twice, each under a comment, and no line the shell could not read."""
    names = [line.split("=", 1)[0] for line in EXAMPLE.read_text().splitlines() if line and not line.startswith("#")]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]+", name) for name in names)
    assert [name for name, commented in listed().items() if not commented] == []


def test_the_example_reads_the_same_in_bash_as_in_systemd():
    """Values with spaces are quoted, so `set -a; . /etc/carmsupport/env` in bash gives what systemd gives."""
    script = f'set -a; . "{EXAMPLE}"; printf "%s|%s" "$DEFAULT_FROM_EMAIL" "$FROM_NAME_FR"'
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert result.stderr == ""
    assert result.stdout == "CARM Client Support <carm-support@example.org>|Soutien de la GCRA"
