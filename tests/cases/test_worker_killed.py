"""`manage.py task_worker` killed (SIGKILL) mid-send, then started again: the outbox drains by itself, each
email delivered once, none left being sent and no task left running."""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys

from tests.cases.test_task_worker import FILE_A_CASE, ROOT, manage, wait_for


def rows(database, query):
    """The rows of a query on the workers' database (tables cases_outboundemail and django-tasks-db's)."""
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def test_a_worker_killed_mid_send_leaves_each_email_delivered_once(smtp, tmp_path):
    """Killed while the server keeps the recipient waiting: the email is sent once by the next worker.
    Killed after the server had the whole email and before its answer: sent, unconfirmed, never again."""
    database = tmp_path / "db.sqlite3"
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.controller.port),
        "EMAIL_TIMEOUT": "60",
        "TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "carmsupport.settings",
        "PYTHONPATH": str(ROOT),
    }
    manage(environment, "migrate", "--noinput")
    recipients_held = []

    async def slow_recipient(server, session, envelope, address, rcpt_options):
        recipients_held.append(address)
        await asyncio.sleep(30)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def start_worker():
        return subprocess.Popen(
            [sys.executable, "manage.py", "task_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    workers = []
    try:
        smtp.inbox.handle_RCPT = slow_recipient
        workers.append(start_worker())
        manage(environment, "shell", "-c", FILE_A_CASE % "before-data")
        assert wait_for(lambda: recipients_held, 30)
        workers[-1].send_signal(signal.SIGKILL)
        workers[-1].wait(10)
        del smtp.inbox.handle_RCPT  # the server answers at once again

        workers.append(start_worker())  # recovers the email when it starts, and sends it
        assert wait_for(lambda: len(smtp.inbox.messages) == 1, 30)

        smtp.inbox.after_data, smtp.inbox.stall_seconds = "stall", 30
        manage(environment, "shell", "-c", FILE_A_CASE % "after-data")
        assert wait_for(lambda: len(smtp.inbox.messages) == 2, 30)  # the server has it whole, and says nothing
        workers[-1].send_signal(signal.SIGKILL)
        workers[-1].wait(10)
        smtp.inbox.after_data = "250 Message accepted"

        workers.append(start_worker())

        def drained():
            return not rows(database, "SELECT id FROM cases_outboundemail WHERE status = 'sending'") and not rows(
                database, "SELECT id FROM django_tasks_database_dbtaskresult WHERE status IN ('RUNNING', 'READY')"
            )

        assert wait_for(drained, 30)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(20)
    recipients = [line for message in smtp.inbox.messages for line in message.splitlines() if line.startswith("To:")]
    assert recipients == ["To: client-before-data@example.org", "To: client-after-data@example.org"]
    outcomes = rows(database, "SELECT status, attempts FROM cases_outboundemail ORDER BY id")
    assert outcomes == [("sent", 1), ("unconfirmed", 1)]
    failed = rows(
        database, "SELECT exception_class_path FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
    )
    assert failed == [("cases.outbox.senders.SenderGone",)] * 2
