"""Take clients' emails from the IMAP mailbox of INBOUND_IMAP, hand each to INBOUND_EMAIL_PROCESSOR, and
file it in the Processed or Rejected folder (see cases.inbound.mailbox).

Run it every minute (cron `* * * * *`), or let it loop with `--every SECONDS` (as `scripts/serve` does
when INBOUND_IMAP_HOST is set). Without INBOUND_IMAP_HOST it says so and does nothing.
"""

import logging
from functools import partial

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from imapclient.exceptions import IMAPClientError

from cases.inbound.mailbox import fetch_mailbox
from cases.management.rounds import add_every, in_rounds
from cases.outbox.queue import reset_connections

logger = logging.getLogger("cases.fetch_email")

# The mailbox or the network away, a refused sign-in, a certificate that does not verify (ssl.SSLError
# is an OSError): the next round tries again.
MAILBOX_OUTAGES = (IMAPClientError, OSError)


class Command(BaseCommand):
    help = "Fetch clients' emails from the IMAP mailbox and file each in the Processed or Rejected folder."

    def add_arguments(self, parser):
        add_every(parser, "Fetch")

    def handle(self, *args, every=0, **options):
        if not settings.INBOUND_IMAP["HOST"]:
            self.stdout.write("No mailbox to fetch: INBOUND_IMAP_HOST is not set.")
            return
        process = import_string(settings.INBOUND_EMAIL_PROCESSOR)
        if every > 0:
            in_rounds(
                partial(self._fetch, process),
                every,
                logger=logger,
                not_done="Emails not fetched",
                outages=MAILBOX_OUTAGES,
                outage="mailbox unavailable",
            )
            return
        try:
            self._fetch(process)
        except MAILBOX_OUTAGES as error:
            raise CommandError(f"Mailbox unavailable ({type(error).__name__})") from None

    def _fetch(self, process):
        counts = fetch_mailbox(process, imap=settings.INBOUND_IMAP, max_bytes=settings.INBOUND_EMAIL_MAX_BYTES)
        if counts.left:
            # The processor failed on some (e.g. the database is away): start the next round afresh.
            reset_connections()
        self.stdout.write(f"Emails kept: {counts.kept}, rejected: {counts.rejected}, left in the inbox: {counts.left}")
