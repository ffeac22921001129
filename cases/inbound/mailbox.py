"""Clients' emails fetched from an IMAP mailbox, each handed to a processor, then filed away.

`fetch_mailbox(process, imap=..., max_bytes=...)` signs in to the mailbox over TLS (implicit TLS or
STARTTLS, never in clear), and for every message in the inbox folder, one at a time and oldest first:

- when its size (RFC822.SIZE, asked before anything is fetched) is at most `max_bytes`, calls
  `process(raw)` with the whole message as bytes;
- when it is larger, calls `process(headers, too_large=True)` with only its header section (the bytes
  up to and including the blank line that ends the headers), so that the processor can match it to a
  case and tell the client, without this process holding the message in memory;
- then moves it by UID to the `PROCESSED` folder when the outcome's `.kept` is true, or to
  `REJECTED` when it is false (IMAP MOVE, or COPY, STORE \\Deleted and EXPUNGE where the server lacks
  MOVE). Both folders are created when missing.

When `process` raises (a temporary failure, e.g. the database is down), the message stays in the
inbox, untouched and unread, and the next run hands it over again; the run goes on to the next one.

A crash or a lost connection between `process` and the move leaves a message that was processed in
the inbox: the next run hands it to `process` again. Nothing is lost, and nothing is stored twice,
because the processor is idempotent by Message-ID: it must recognise a message it already took and
answer with the same outcome.

Logs name messages by UID and errors by their class only, never an address or any content.
"""

import logging
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import batched
from typing import NamedTuple, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

logger = logging.getLogger("cases.inbound")

# Sizes are asked for this many messages at a time; the messages themselves come one by one.
SIZE_BATCH = 200


class Outcome(Protocol):
    kept: bool  # True: stored or otherwise handled (filed in PROCESSED); False: refused (REJECTED)


Process = Callable[..., Outcome]  # process(raw: bytes, *, too_large: bool = False) -> Outcome


class Counts(NamedTuple):
    kept: int = 0  # moved to the PROCESSED folder
    rejected: int = 0  # moved to the REJECTED folder
    left: int = 0  # left in the inbox for the next run: the processor or the move failed


def fetch_mailbox(process: Process, *, imap: dict, max_bytes: int) -> Counts:
    """Hand every message of the inbox folder to `process` and file it by the outcome (see the module)."""
    kept = rejected = left = 0
    with signed_in(imap) as client:
        for folder in (imap["PROCESSED"], imap["REJECTED"]):
            if not client.folder_exists(folder):
                client.create_folder(folder)
        client.select_folder(imap["FOLDER"])
        # A message marked \Deleted was already copied to its folder by the fallback below.
        uids = sorted(client.search(["NOT", "DELETED"]))
        for batch in batched(uids, SIZE_BATCH):
            sizes = client.fetch(batch, ["RFC822.SIZE"])
            for uid in batch:
                if uid not in sizes:
                    continue  # gone meanwhile (another client took it)
                outcome = _process_one(client, process, uid, sizes[uid][b"RFC822.SIZE"], max_bytes)
                if outcome is None:
                    left += 1
                    continue
                folder = imap["PROCESSED"] if outcome.kept else imap["REJECTED"]
                if not _move(client, uid, folder):
                    left += 1
                elif outcome.kept:
                    kept += 1
                else:
                    rejected += 1
    return Counts(kept, rejected, left)


@contextmanager
def signed_in(imap: dict) -> Iterator[IMAPClient]:
    """A client signed in to the mailbox, over implicit TLS or STARTTLS as `imap["TLS"]` says."""
    context = ssl.create_default_context(cafile=imap.get("CAFILE") or None)
    implicit = imap["TLS"] == "implicit"
    if not implicit and imap["TLS"] != "starttls":
        raise ValueError("INBOUND_IMAP TLS must be 'implicit' or 'starttls'")
    client = IMAPClient(
        imap["HOST"], port=imap["PORT"], ssl=implicit, ssl_context=context, timeout=imap.get("TIMEOUT", 30)
    )
    try:
        if not implicit:
            client.starttls(context)
        client.login(imap["USER"], imap["PASSWORD"])
        yield client
    finally:
        try:
            client.logout()
        except (IMAPClientError, OSError):
            client.shutdown()  # the connection is gone already, or the server said no


def _process_one(client: IMAPClient, process: Process, uid: int, size: int, max_bytes: int) -> Outcome | None:
    """The processor's outcome for one message, or None when it raised (the message stays)."""
    too_large = size > max_bytes
    # BODY.PEEK leaves the message unread, so one left in the inbox stays as it came.
    section, answer = (b"BODY.PEEK[HEADER]", b"BODY[HEADER]") if too_large else (b"BODY.PEEK[]", b"BODY[]")
    fetched = client.fetch([uid], [section]).get(uid)
    if fetched is None:
        return None  # gone meanwhile
    raw = fetched[answer]
    try:
        return process(raw, too_large=True) if too_large else process(raw)
    except Exception as error:  # noqa: BLE001 - any failure of one message must not stop the others
        logger.warning("Inbound email %s left in the inbox: the processor failed (%s)", uid, type(error).__name__)
        return None


def _move(client: IMAPClient, uid: int, folder: str) -> bool:
    """Move one message by UID; False when the server refuses (it stays in the inbox for the next run)."""
    try:
        if client.has_capability("MOVE"):
            client.move([uid], folder)
        else:
            client.copy([uid], folder)
            client.add_flags([uid], [b"\\Deleted"])
            if client.has_capability("UIDPLUS"):
                client.uid_expunge([uid])
            else:
                client.expunge()
    except IMAPClientAbortError:
        raise  # the connection is lost: the run stops here
    except IMAPClientError as error:
        logger.warning("Inbound email %s left in the inbox: not moved (%s)", uid, type(error).__name__)
        return False
    return True
