"""Clients' emails fetched from a real IMAP server (Dovecot) and filed by the processor's outcome."""

from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError

from cases.inbound.mailbox import Counts, fetch_mailbox


@dataclass
class Outcome:
    kept: bool
    reason: str = ""


class Processor:
    """Keeps what it is given, refuses a message whose subject says "refuse", fails while .broken."""

    def __init__(self):
        self.calls, self.broken = [], False

    def __call__(self, raw, *, too_large=False):
        self.calls.append((raw, too_large))
        if self.broken:
            raise ConnectionError("database away")
        return Outcome(kept=b"Subject: refuse" not in raw)


processor = Processor()


def process(raw, *, too_large=False):
    """The processor the command imports by its dotted path."""
    return processor(raw, too_large=too_large)


@pytest.fixture(autouse=True)
def fresh_processor():
    processor.__init__()


def email(number, subject="Question", body="Hello"):
    return (
        f"From: client{number}@example.com\r\nTo: support@example.org\r\nSubject: {subject}\r\n"
        f"Message-ID: <{number}@example.com>\r\n\r\n{body}\r\n"
    ).encode()


def fetch(imap_server, **settings):
    return fetch_mailbox(processor, imap=imap_server.settings(**settings), max_bytes=1_000_000)


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_messages_are_handed_over_and_moved_to_processed(imap_server, tls):
    """Each message reaches the processor whole, once, and leaves the inbox for the Processed folder."""
    imap_server.deliver(email(1))
    imap_server.deliver(email(2))
    assert fetch(imap_server, tls=tls) == Counts(kept=2, rejected=0, left=0)
    assert [raw for raw, _ in processor.calls] == [email(1), email(2)]
    assert imap_server.folder("Processed") == [email(1), email(2)]
    assert imap_server.folder("INBOX") == []
    assert imap_server.folder("Rejected") == []


def test_a_refused_message_goes_to_rejected(imap_server):
    """A message the processor refuses is filed in the Rejected folder."""
    imap_server.deliver(email(1, subject="refuse"))
    imap_server.deliver(email(2))
    assert fetch(imap_server) == Counts(kept=1, rejected=1, left=0)
    assert imap_server.folder("Rejected") == [email(1, subject="refuse")]
    assert imap_server.folder("Processed") == [email(2)]


def test_a_second_run_finds_nothing_more(imap_server):
    """Filed messages are never handed over again."""
    imap_server.deliver(email(1))
    fetch(imap_server)
    assert fetch(imap_server) == Counts(0, 0, 0)
    assert len(processor.calls) == 1


def test_a_failing_processor_leaves_the_message_for_the_next_run(imap_server, caplog):
    """When the processor raises, the message stays in the inbox, unread, and the next run takes it."""
    imap_server.deliver(email(1))
    processor.broken = True
    assert fetch(imap_server) == Counts(kept=0, rejected=0, left=1)
    assert imap_server.folder("INBOX") == [email(1)]
    with imap_server.client() as client:
        client.select_folder("INBOX", readonly=True)
        assert client.search("UNSEEN")  # left as it came
    assert "ConnectionError" in caplog.text
    assert "example.com" not in caplog.text and "Hello" not in caplog.text
    processor.broken = False
    assert fetch(imap_server) == Counts(kept=1, rejected=0, left=0)
    assert imap_server.folder("Processed") == [email(1)]
    assert imap_server.folder("INBOX") == []


def test_a_crash_between_processing_and_moving_hands_the_message_over_again(imap_server, monkeypatch):
    """The connection lost before the move: the next run gives the processor the same message again,
    which it recognises by Message-ID; the message is filed once."""
    imap_server.deliver(email(1))
    move = IMAPClient.move

    def lose_connection(client, messages, folder):
        monkeypatch.setattr(IMAPClient, "move", move)  # once
        raise IMAPClientAbortError("connection lost")

    monkeypatch.setattr(IMAPClient, "move", lose_connection)
    with pytest.raises(IMAPClientAbortError):
        fetch(imap_server)
    assert imap_server.folder("INBOX") == [email(1)]
    assert fetch(imap_server) == Counts(kept=1, rejected=0, left=0)
    assert [raw for raw, _ in processor.calls] == [email(1), email(1)]
    assert imap_server.folder("Processed") == [email(1)]
    assert imap_server.folder("INBOX") == []


def test_a_refused_move_leaves_the_message_and_the_run_goes_on(imap_server, monkeypatch):
    """A move the server refuses leaves that message in the inbox, counted as left; the next is filed."""
    imap_server.deliver(email(1))
    imap_server.deliver(email(2))
    move = IMAPClient.move

    def refuse_once(client, messages, folder):
        monkeypatch.setattr(IMAPClient, "move", move)
        raise IMAPClientError("over quota")

    monkeypatch.setattr(IMAPClient, "move", refuse_once)
    assert fetch(imap_server) == Counts(kept=1, rejected=0, left=1)
    assert imap_server.folder("INBOX") == [email(1)]
    assert imap_server.folder("Processed") == [email(2)]


def test_a_server_without_move_gets_copy_and_expunge(imap_server, monkeypatch):
    """Where the server does not offer MOVE, the message is copied, then deleted from the inbox."""
    offers = IMAPClient.has_capability
    monkeypatch.setattr(IMAPClient, "has_capability", lambda client, name: name != "MOVE" and offers(client, name))
    monkeypatch.setattr(IMAPClient, "move", None)  # never called
    imap_server.deliver(email(1, subject="refuse"))
    assert fetch(imap_server) == Counts(kept=0, rejected=1, left=0)
    assert imap_server.folder("Rejected") == [email(1, subject="refuse")]
    assert imap_server.folder("INBOX") == []


def test_an_oversize_message_reaches_the_processor_as_its_headers(imap_server):
    """A message over the size limit is never fetched whole: the processor gets its headers, marked too large."""
    small, large = email(1), email(2, body="x" * 5000)
    imap_server.deliver(small)
    imap_server.deliver(large)
    counts = fetch_mailbox(processor, imap=imap_server.settings(), max_bytes=len(small))
    assert counts == Counts(kept=2, rejected=0, left=0)
    headers = large[: large.index(b"\r\n\r\n") + 4]
    assert processor.calls == [(small, False), (headers, True)]
    assert imap_server.folder("Processed") == [small, large]


def test_the_command_fetches_once(imap_server, settings):
    """`manage.py fetch_email` imports the processor named in the settings and prints what it did."""
    from io import StringIO

    settings.INBOUND_IMAP = imap_server.settings()
    settings.INBOUND_EMAIL_PROCESSOR = f"{__name__}.process"
    imap_server.deliver(email(1))
    imap_server.deliver(email(2, subject="refuse"))
    out = StringIO()
    call_command("fetch_email", stdout=out)
    assert out.getvalue() == "Emails kept: 1, rejected: 1, left in the inbox: 0\n"
    assert len(processor.calls) == 2


def test_the_command_says_when_the_mailbox_cannot_be_reached(imap_server, settings):
    """A refused sign-in is an error naming its class only."""
    settings.INBOUND_IMAP = imap_server.settings(PASSWORD="wrong")
    settings.INBOUND_EMAIL_PROCESSOR = f"{__name__}.process"
    with pytest.raises(CommandError, match=r"^Mailbox unavailable \(LoginError\)$"):
        call_command("fetch_email")


def test_the_command_without_a_mailbox_does_nothing(settings):
    """Without INBOUND_IMAP_HOST the command says so and succeeds, without importing the processor."""
    from io import StringIO

    settings.INBOUND_IMAP = {**settings.INBOUND_IMAP, "HOST": ""}
    settings.INBOUND_EMAIL_PROCESSOR = "no.such.module.process"
    out = StringIO()
    call_command("fetch_email", stdout=out)
    assert out.getvalue() == "No mailbox to fetch: INBOUND_IMAP_HOST is not set.\n"
