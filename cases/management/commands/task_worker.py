"""The task worker that rides out a database outage: django-tasks-db's `db_worker`, which never exits
because the database restarted or stopped for a while.

`db_worker` raises and exits on the first connection error ("the database system is shutting
down"), and every email queued afterwards would wait for a person. This command runs the same
worker, with the same options, but on a connection error it closes the connection, waits (half a
second, doubling, at most MAX_WAIT seconds) and goes on once the database answers. Then it first
enqueues again every due email whose task the outage took (one that failed on the database, or
never ran), so queued emails go without a restart; the outbox's claim sends each of them once.
"""

import logging
import time

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from cases.outbox import queue as outbox

logger = logging.getLogger("cases.task_worker")

FIRST_WAIT = 0.5
MAX_WAIT = 5.0
# An outage that begins after this long of working normally starts its waits from FIRST_WAIT again.
CALM_AFTER = 30.0
CONNECTION_ERRORS = {f"{error.__module__}.{error.__qualname__}" for error in (OperationalError, InterfaceError)}


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        wait, outage_since, last_error_at = FIRST_WAIT, None, -CALM_AFTER
        while self.running:
            try:
                if outage_since is not None:
                    self._recovered(time.monotonic() - outage_since)
                    outage_since = None
                super().run()
                return  # --batch or --max-tasks ended it, or a signal
            except (OperationalError, InterfaceError) as error:
                now = time.monotonic()
                if now - last_error_at > CALM_AFTER:
                    wait = FIRST_WAIT
                last_error_at = now
                outage_since = outage_since or now
                logger.warning("Database unavailable (%s); trying again in %.1f s", type(error).__name__, wait)
                outbox.reset_connections()
                self.startup_delay = False
                time.sleep(wait)
                wait = min(wait * 2, MAX_WAIT)

    def run_task(self, db_task_result) -> None:
        super().run_task(db_task_result)
        if db_task_result.exception_class_path in CONNECTION_ERRORS:
            # The database blinked during the task, and was back to record its failure.
            outbox.reset_connections()
            self._recovered(0.0)

    def _recovered(self, seconds: float) -> None:
        requeued = outbox.requeue_stale(timezone.now() + outbox.STALE_AFTER)  # every due email without a task
        logger.warning("Database available again after %.1f s; %s email(s) enqueued again", seconds, requeued)


class Command(db_worker.Command):
    help = (
        "Run the task worker (django-tasks-db's db_worker, with the same options), riding out database "
        "restarts and outages: it waits for the database and goes on, and never exits because of them."
    )

    def handle(self, *args, **options):
        library_worker = db_worker.Worker
        db_worker.Worker = ResilientWorker  # the library's handle() builds its worker by this name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = library_worker
