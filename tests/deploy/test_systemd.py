"""deploy/systemd: units systemd accepts, timers that start the jobs, jobs that are the project's commands."""

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import get_commands

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def unit(path):
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path):
    """`systemd-analyze verify` finds nothing to say of any unit (with the project's executables put at hand)."""
    for path in UNITS.glob("carmsupport-*"):
        name = path.name.replace("@.", "@a.")
        text = re.sub(r"/srv/carmsupport/\.venv/bin/\w+", "/bin/true", path.read_text())
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_each_timer_starts_a_job_that_runs_a_command_of_the_project():
    """Every timer has its service, and every job runs once a management command that exists."""
    commands = get_commands()
    timers = sorted(UNITS.glob("*.timer"))
    assert {t.stem for t in timers} >= {"carmsupport-due-cases", "carmsupport-fetch-email", "carmsupport-retention"}
    for timer in timers:
        service = unit(UNITS / f"{timer.stem}.service")
        assert unit(timer)["Timer"]["OnCalendar"]
        assert service["Service"]["Type"] == "oneshot"
        command = service["Service"]["ExecStart"].split()
        assert command[1:3] == ["manage.py", command[2]] and command[2] in commands
        assert "--every" not in command  # one run per start, not a loop


def test_long_running_services_come_back_and_reload_gracefully():
    """The web server and the task worker restart whenever they stop; reloading gunicorn sends HUP."""
    web = unit(UNITS / "carmsupport-web@.service")["Service"]
    worker = unit(UNITS / "carmsupport-worker@.service")["Service"]
    assert web["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert "-c deploy/gunicorn.conf.py" in web["ExecStart"]
    assert worker["ExecStart"].endswith("manage.py task_worker")
    for service in (web, worker):
        assert service["Restart"] == "always" and service["KillSignal"] == "SIGTERM"
        assert service["User"] == "carmsupport" and service["NoNewPrivileges"] == "yes"
        assert service["ProtectSystem"] == "strict"
