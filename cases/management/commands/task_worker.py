"""The task worker that rides out a database outage: django-tasks-db's `db_worker`, which never exits
because the database restarted or stopped for a while.

`db_worker` raises and exits on the first connection error ("the database system is shutting
down"), and every email queued afterwards would wait for a person. This command runs the same
worker, with the same options, but on a connection error it closes the connection, waits (half a
second, doubling, at most MAX_WAIT seconds) and goes on once the database answers. Then it first
enqueues again every due email whose task the outage took (one that failed on the database, or
never ran), so queued emails go without a restart; the outbox's claim sends each of them once.

When it starts, after an outage and every RECOVER_EVERY seconds (in a thread of its own), it recovers
the emails a stopped worker left being sent, and finishes that worker's running tasks
(cases.outbox.orphans). Its worker id is the process as an outbox sender, "<host>:<pid>:<token>", unless
--worker-id names it, so that another worker on this host knows when it is gone.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from cases.outbox import orphans, senders
from cases.outbox import queue as outbox

logger = logging.getLogger("cases.task_worker")

FIRST_WAIT = 0.5
MAX_WAIT = 5.0
# An outage that begins after this long of working normally starts its waits from FIRST_WAIT again.
CALM_AFTER = 30.0
RECOVER_EVERY = 10.0
CONNECTION_ERRORS = {f"{error.__module__}.{error.__qualname__}" for error in (OperationalError, InterfaceError)}


class ResilientWorker(db_worker.Worker):
    def run(self) -> None:
        stopped = threading.Event()
        if not self.batch:
            threading.Thread(target=self._watch_senders, args=(stopped,), name="outbox-senders", daemon=True).start()
        try:
            self._ride_out_outages()
        finally:
            stopped.set()

    def _ride_out_outages(self) -> None:
        wait, outage_since, last_error_at, started = FIRST_WAIT, None, -CALM_AFTER, False
        while self.running:
            try:
                if outage_since is not None:
                    self._recovered(time.monotonic() - outage_since)
                    outage_since = None
                elif not started:
                    self._recover_orphans()
                started = True
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
        # The outage interrupted whatever this worker was doing, and it runs nothing now: what it left being
        # sent, or running, is recovered as a stopped worker's would be.
        self._recover_orphans(own=self.worker_id)
        requeued = outbox.requeue_stale(timezone.now() + outbox.STALE_AFTER)  # every due email without a task
        logger.warning("Database available again after %.1f s; %s email(s) enqueued again", seconds, requeued)

    def _recover_orphans(self, own=None) -> None:
        recovered = orphans.recover_orphans(own=own)
        if recovered:
            logger.warning("%s email(s) left being sent by a stopped worker recovered", recovered)

    def _watch_senders(self, stopped: threading.Event) -> None:
        """Recover, every RECOVER_EVERY seconds until `stopped`, what a worker that stopped meanwhile left; an
        error (the database away) waits for the next round."""
        while not stopped.wait(RECOVER_EVERY):
            try:
                self._recover_orphans()
            except Exception as error:
                logger.warning("Recovery of stopped workers' emails not done: %s", type(error).__name__)
                outbox.reset_connections()


class Command(db_worker.Command):
    help = (
        "Run the task worker (django-tasks-db's db_worker, with the same options), riding out database "
        "restarts and outages: it waits for the database and goes on, and never exits because of them. "
        "It recovers the emails a stopped worker left being sent."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=senders.me())

    def handle(self, *args, **options):
        library_worker = db_worker.Worker
        db_worker.Worker = ResilientWorker  # the library's handle() builds its worker by this name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = library_worker
