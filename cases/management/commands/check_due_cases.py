"""Warn staff of the cases whose reply is due soon, tell the team's leads of those past their target,
and send the staff's daily digests once 7 am Eastern has come on a business day.

Run it every few minutes (cron `*/5 * * * *`, or a systemd timer), or let it loop with `--every SECONDS`
(as `scripts/serve` does). Each warning and digest is sent once, however often it runs: see
cases.warnings.services and cases.notifications.digests.
"""

import logging

from django.core.management.base import BaseCommand

from cases.management.rounds import add_every, in_rounds
from cases.notifications.digests import send_digests
from cases.warnings.services import check_due_cases

logger = logging.getLogger("cases.check_due_cases")


class Command(BaseCommand):
    help = (
        "Warn staff of cases whose reply is due soon, tell the team's leads of missed reply targets, "
        "and send the daily digests."
    )

    def add_arguments(self, parser):
        add_every(parser, "Check")

    def handle(self, *args, every=0, **options):
        if every <= 0:
            self._check()
        else:
            in_rounds(self._check, every, logger=logger, not_done="Cases not checked")

    def _check(self):
        sent = check_due_cases()
        digests = send_digests()
        self.stdout.write(
            f"Warnings queued: {sent['due_soon']} due soon, {sent['missed']} missed targets; digests: {digests}"
        )
