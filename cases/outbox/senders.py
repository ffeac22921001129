"""Who is sending an outbox email, whether they are gone, and the mark of its hand-over to the mail server.

A sender is one process, named "<host>:<pid>:<token>": the token, new in each process, tells a
process from an earlier one that had the same pid (a container restarted keeps its host name, and
its worker often gets the same pid). A sender on this host is gone once no process has its pid, or
its pid is this process's under another token; any sender is gone once its attempt began more than
SENDER_GONE_AFTER ago, longer than any live attempt takes.
"""

import os
import secrets
import socket
from datetime import timedelta

from django.utils import timezone

from ..models import OutboundEmail

# Longer than any attempt of a live sender: the mail server's time-outs, then RECORD_PATIENCE
# (cases.outbox.queue) to record the outcome.
SENDER_GONE_AFTER = timedelta(minutes=15)

_tokens: dict[int, str] = {}


class SenderGone(Exception):
    """The process sending an email stopped during the attempt (killed, or its machine down)."""


class Recovered(Exception):
    """The email was taken back from this sender, which had been taken for gone: it must not go on."""


def host() -> str:
    return socket.gethostname()[:40]


def me() -> str:
    """This process as a sender; a process forked from another (e.g. by gunicorn) is a sender of its own."""
    pid = os.getpid()
    token = _tokens.setdefault(pid, secrets.token_hex(4))
    return f"{host()}:{pid}:{token}"


def is_gone(sender: str, began, now=None) -> bool:
    """Whether `sender`, whose attempt (or task) began at `began`, is gone; unknown senders are gone
    SENDER_GONE_AFTER after they began, as senders on another host are."""
    if began is None or began < (now or timezone.now()) - SENDER_GONE_AFTER:
        return True
    parts = sender.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != host() or not parts[1].isdigit() or int(parts[1]) <= 0:
        return False  # another host's (or a name we cannot read): gone only after the time limit
    pid = int(parts[1])
    if pid == os.getpid():
        return sender != me()
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process: alive
    return False


def hand_over(email_id: int) -> None:
    """Mark, in a write of its own, that this sender is about to give the mail server the email's content.

    Raises Recovered when the email is no longer this sender's (it was taken for gone and recovered).
    """
    marked = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING, sender=me()).update(
        handed_over_at=timezone.now()
    )
    if not marked:
        raise Recovered(f"email {email_id} was recovered from this sender")
