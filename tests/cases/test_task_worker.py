"""`manage.py task_worker` rides out a database outage: it never exits for one, and the emails queued
before, during and after it go once the database is back, each exactly once."""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connection

from cases.models import OutboundEmail
from cases.outbox import queue as outbox
from tests.cases.test_email_delivery import run_worker
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("seeded")]


@pytest.fixture
def task_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_email_whose_task_met_a_database_blink_goes_once(make_case, smtp, task_queue, monkeypatch):
    """The database fails during a task and is back to record it: the email is enqueued again and sent once."""
    case = make_case()
    calls = []
    deliver = outbox.deliver

    def blinking(email_id):
        calls.append(email_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return deliver(email_id)

    monkeypatch.setattr("cases.tasks.outbox.deliver", blinking)
    run_worker()
    assert len(calls) == 2 and len(smtp.inbox.messages) == 1
    assert case.emails.get().status == OutboundEmail.Status.SENT


# A real PostgreSQL server of the test's own, restarted and stopped under a worker.


class PostgresServer:
    def __init__(self, directory: Path):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        self.bin = Path(binaries[-1])
        self.directory, self.port = directory, free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.url = f"postgres://carm@127.0.0.1:{self.port}/worker"

    def run(self, program, *arguments):
        subprocess.run([*self.as_postgres, str(self.bin / program), *arguments], check=True, capture_output=True)

    def create(self):
        if self.as_postgres:
            os.chown(self.directory, *_postgres_ids())
        self.run(
            "initdb", "-D", str(self.directory / "data"), "-U", "carm", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"
        )
        self.pg_ctl("start")
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "carm", "worker")

    def pg_ctl(self, action, *options):
        server_options = f"-k {self.directory} -p {self.port} -c listen_addresses=127.0.0.1"
        logfile = str(self.directory / "server.log")
        self.run(
            "pg_ctl", "-D", str(self.directory / "data"), "-l", logfile, "-w", "-o", server_options, action, *options
        )


def _postgres_ids():
    import pwd

    entry = pwd.getpwnam("postgres")
    return entry.pw_uid, entry.pw_gid


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql" or not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        pytest.skip("runs in the PostgreSQL suite (scripts/test --postgres)")
    directory = Path(tempfile.mkdtemp(prefix="carmsupport-pg."))  # the postgres user must reach it
    server = PostgresServer(directory)
    try:
        server.create()
        yield server
        server.pg_ctl("stop", "-m", "immediate")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def manage(environment, *arguments, **options):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment, check=True, capture_output=True, **options
    )


FILE_A_CASE = """
from helpdesk.models import Topic
from cases.intake.help_paths import PathTaken
from cases.intake.submission import case_submit
from tests.conftest import CONTACT
topic = Topic.objects.get(slug="portal-access")
case_submit(contact={**CONTACT, "email": "client-%s@example.org"}, path_taken=PathTaken.straight(topic))
"""


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_survives_a_restart_and_a_ten_second_stop(postgres, smtp, tmp_path):
    port = smtp.controller.port
    environment = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "carmsupport.settings",
        "PYTHONPATH": str(ROOT),
    }
    manage(environment, "migrate", "--noinput")
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "task_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        manage(environment, "shell", "-c", FILE_A_CASE % "before")
        assert wait_for(lambda: len(smtp.inbox.messages) == 1, 30)

        postgres.pg_ctl("restart", "-m", "fast")
        time.sleep(2)
        assert worker.poll() is None
        manage(environment, "shell", "-c", FILE_A_CASE % "after-restart")
        assert wait_for(lambda: len(smtp.inbox.messages) == 2, 30)

        postgres.pg_ctl("stop", "-m", "fast")
        time.sleep(10)
        assert worker.poll() is None
        postgres.pg_ctl("start")
        manage(environment, "shell", "-c", FILE_A_CASE % "after-stop")
        assert wait_for(lambda: len(smtp.inbox.messages) == 3, 30)
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
        log.close()
    recipients = sorted(
        line for message in smtp.inbox.messages for line in message.splitlines() if line.startswith("To:")
    )
    assert recipients == [f"To: client-{name}@example.org" for name in ("after-restart", "after-stop", "before")]
    assert "Database unavailable" in (tmp_path / "worker.log").read_text()


def test_an_email_sent_while_the_database_blinks_is_recorded_sent(make_case, smtp, task_queue, monkeypatch):
    """The mail server took the email, then the database failed twice to record it: the outcome waits for
    the database, so the email ends sent (not left being sent, then sent unconfirmed), once."""
    monkeypatch.setattr("cases.outbox.queue.time.sleep", lambda seconds: None)
    case = make_case()
    sent = outbox.attempts.sent
    tries = []

    def blinking(email):
        tries.append(email.pk)
        if len(tries) < 3:
            raise OperationalError("terminating connection due to administrator command")
        return sent(email)

    monkeypatch.setattr("cases.outbox.queue.attempts.sent", blinking)
    run_worker()
    assert len(tries) == 3 and len(smtp.inbox.messages) == 1
    email = case.emails.get()
    assert email.status == OutboundEmail.Status.SENT
    assert case.events.filter(code="acknowledged").count() == 1
