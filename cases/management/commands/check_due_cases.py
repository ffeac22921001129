"""Warn staff of the cases whose reply is due soon, tell the team's leads of those past their target,
and send the staff's daily digests once 7 am Eastern has come on a business day.

Run it every few minutes (cron `*/5 * * * *`, or a systemd timer), or let it loop with `--every SECONDS`
(as `scripts/serve` does). Each warning and digest is sent once, however often it runs: see
cases.warnings.services and cases.notifications.digests.
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError

from cases.notifications.digests import send_digests
from cases.outbox.queue import reset_connections
from cases.warnings.services import check_due_cases

logger = logging.getLogger("cases.check_due_cases")


class Command(BaseCommand):
    help = (
        "Warn staff of cases whose reply is due soon, tell the team's leads of missed reply targets, "
        "and send the daily digests."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Check again every SECONDS seconds until stopped (default: check once).",
        )

    def handle(self, *args, every=0, **options):
        if every <= 0:
            self._check()
            return
        running = [True]
        signal.signal(signal.SIGTERM, lambda *_: running.clear())
        while running:
            try:
                self._check()
            except (OperationalError, InterfaceError) as error:
                # The database is away: the next round tries again, and sends what this one could not.
                logger.warning("Cases not checked, database unavailable (%s)", type(error).__name__)
                reset_connections()
            slept = 0.0
            while running and slept < every:
                time.sleep(0.5)
                slept += 0.5

    def _check(self):
        sent = check_due_cases()
        digests = send_digests()
        self.stdout.write(
            f"Warnings queued: {sent['due_soon']} due soon, {sent['missed']} missed targets; digests: {digests}"
        )
