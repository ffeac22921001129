"""The commands that run in rounds until stopped, with `--every SECONDS` (check_due_cases, fetch_email).

SIGTERM ends the loop after the round under way. A round that meets the database away (or one of the
command's own outages, such as the mailbox's) is logged by the error's class only, and the next round
tries again: what one round could not do, the next does.
"""

import signal
import time

from django.db import InterfaceError, OperationalError

from ..outbox.queue import reset_connections


def add_every(parser, doing: str) -> None:
    parser.add_argument(
        "--every",
        type=int,
        default=0,
        metavar="SECONDS",
        help=f"{doing} again every SECONDS seconds until stopped (default: once).",
    )


def in_rounds(one_round, every: int, *, logger, not_done: str, outages=(), outage="unavailable") -> None:
    """Run `one_round` every `every` seconds until SIGTERM. `not_done` opens the warning logged for a
    round that failed ("Cases not checked"); `outage` names what `outages` mean ("mailbox unavailable")."""
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.clear())
    while running:
        try:
            one_round()
        except (OperationalError, InterfaceError) as error:
            logger.warning("%s, database unavailable (%s)", not_done, type(error).__name__)
            reset_connections()
        except outages as error:
            logger.warning("%s, %s (%s)", not_done, outage, type(error).__name__)
        slept = 0.0
        while running and slept < every:
            time.sleep(0.5)
            slept += 0.5
