"""Take in one email piped from the mail server, e.g. in Postfix's aliases:

    support: "|/srv/carmsupport/.venv/bin/python /srv/carmsupport/manage.py receive_email"

The message (RFC 5322) is read on standard input, up to INBOUND_EMAIL_MAX_BYTES (a larger one is
recorded from its headers and refused). Exit status, as
mail servers read it (sysexits): 0 when it was taken (or known already), 65 (EX_DATAERR) when it is
refused for good, 75 (EX_TEMPFAIL) when it could not be taken now (the database is away): the mail
server keeps it and tries again, and the message is taken once (cases.inbound.services).
"""

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from cases.inbound.services import receive_message

logger = logging.getLogger("cases.receive_email")

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take in one email read on standard input, as a mail server pipes it."

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read(settings.INBOUND_EMAIL_MAX_BYTES + 1)
        too_large = len(raw) > settings.INBOUND_EMAIL_MAX_BYTES
        if too_large:  # its headers are read, to record it; the rest is left unread
            raw = raw.partition(b"\r\n\r\n")[0] if b"\r\n\r\n" in raw else raw.partition(b"\n\n")[0]
        try:
            outcome = receive_message(raw, too_large=too_large)
        except DatabaseError as error:
            logger.warning("Email not taken, database unavailable (%s)", type(error).__name__)
            sys.exit(EX_TEMPFAIL)
        if not outcome.kept:
            self.stderr.write(f"Message refused: {outcome.reason}")
            sys.exit(EX_DATAERR)
        self.stdout.write(f"Message taken: {outcome.reason}")
