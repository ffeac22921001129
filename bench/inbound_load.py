"""Take a mailbox of clients' replies through `fetch_mailbox` and the real processor, and print how many
messages it handles per second and the process's peak memory.

Starts a Dovecot of its own (as the tests' `imap_server` fixture does, tests/dovecot.py), files cases
in a fresh database (SQLite in a temporary folder, or the PostgreSQL that DATABASE_URL names), delivers
replies to their acknowledgments into the inbox, half in English and half in French, each quoting the
acknowledgment under "On … wrote:" / "Le … a écrit :": a quarter to the tagged Reply-To address, a
quarter to the plain address matched by their In-Reply-To, a quarter from strangers that match no case,
and a quarter to the tagged address with a small PDF. Then it runs `fetch_mailbox` with
`cases.inbound.services.receive_message` once, timed, and checks that every message was filed as it
should have been.

    .venv/bin/python bench/inbound_load.py                       # SQLite, 1,000 messages
    scripts/with-postgres .venv/bin/python bench/inbound_load.py # PostgreSQL
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402  (bench/harness.py, beside this file)

sys.path.insert(0, str(harness.ROOT))
from tests.cases.pdfs import CLEAN as PDF  # noqa: E402  (a small well-formed PDF)
from tests.dovecot import start_dovecot  # noqa: E402

INBOUND = "support@support.example.ca"
KINDS = ("tag", "thread", "unmatched", "attachment")
WORDS = {
    "en": {
        "prefix": "RE: ",
        "wrote": "On Wed, Dec 2, 2026 at 9:15 AM CARM Client Support Helpdesk <{sender}> wrote:",
        "text": "Message {number}: the error EC-1012 still appears when I register my business.\n\n"
        "Thank you,\nClient {number}",
        "stranger": "Hello, I have a question about the CARM Client Portal (message {number}).",
        "subject": "Question about CARM",
        "pdf": "statement-{number}.pdf",
    },
    "fr": {
        "prefix": "RE\u00a0: ",
        "wrote": "Le mer. 2 déc. 2026, à 09 h 15, Centre de soutien de la GCRA <{sender}> a écrit\u00a0:",
        "text": "Message {number}\u00a0: l’erreur EC-1012 s’affiche encore quand j’inscris mon entreprise.\n\n"
        "Merci,\nClient {number}",
        "stranger": "Bonjour, j’ai une question sur le portail client de la GCRA (message {number}).",
        "subject": "Question sur la GCRA",
        "pdf": "relevé-{number}.pdf",
    },
}


def rss_mb():
    """The process's peak resident memory so far, in MB (Linux gives kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def file_cases(count):
    """`count` cases, every other one in French, each acknowledged (into memory): [(case, acknowledgment)]."""
    from django.core import mail

    from cases.intake.help_paths import PathTaken
    from cases.intake.submission import case_submit
    from helpdesk.models import Topic

    topic = Topic.objects.get(slug="portal-access")
    filed = []
    for number in range(count):
        language = ("en", "fr")[number % 2]
        contact = {
            "full_name": f"Client {number}",
            "email": f"client{number}@example.org",
            "telephone": "",
            "business_name": "",
            "business_number": "",
            "preferred_language": language,
            "description": f"Request {number}: EC-1012 when registering.",
        }
        case, _created = case_submit(
            contact=contact, path_taken=PathTaken(topic=topic, response_class=topic.response_class)
        )
        filed.append(case)
    acknowledgments = {email.to[0]: email for email in mail.outbox}
    mail.outbox.clear()
    return [(case, acknowledgments[case.email]) for case in filed]


def reply(number, kind, case, acknowledgment):
    """Message `number`, of `kind`, answering the acknowledgment of `case` as a mail program writes it."""
    from cases.inbound.addresses import reply_address

    words = WORDS[case.preferred_language]
    email = EmailMessage()
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(f"bench{number}", domain="example.org")
    if kind == "unmatched":
        email["From"] = f"Stranger {number} <stranger{number}@example.net>"
        email["To"] = INBOUND
        email["Subject"] = words["subject"]
        email.set_content(words["stranger"].format(number=number))
        return bytes(email)
    email["From"] = f"{case.full_name} <{case.email}>"
    email["To"] = INBOUND if kind == "thread" else reply_address(case)
    email["Subject"] = words["prefix"] + acknowledgment.subject
    sent_id = acknowledgment.extra_headers["Message-ID"]
    email["In-Reply-To"] = email["References"] = sent_id
    quoted = "\n".join(f"> {line}".rstrip() for line in acknowledgment.body.splitlines())
    wrote = words["wrote"].format(sender=acknowledgment.from_email)
    email.set_content(f"{words['text'].format(number=number)}\n\n{wrote}\n{quoted}\n")
    if kind == "attachment":
        email.add_attachment(PDF, maintype="application", subtype="pdf", filename=words["pdf"].format(number=number))
    return bytes(email)


def deliver(server, messages):
    """Put the messages in the inbox over one connection, as a mail server would."""
    with server.client() as client:
        for raw in messages:
            client.append("INBOX", raw)


def verify(expected, counts):
    """Every message kept and filed as its kind says: a follow-up by tag or thread, or unmatched."""
    from cases.models import Attachment, InboundEmail, Message

    Status, Match = InboundEmail.Status, InboundEmail.Match
    problems = []
    if counts.kept != sum(expected.values()) or counts.rejected or counts.left:
        problems.append(f"fetch_mailbox counted {counts}, expected all {sum(expected.values())} kept")
    found = {
        "tag": InboundEmail.objects.filter(status=Status.POSTED, matched_by=Match.TAG).count(),
        "thread": InboundEmail.objects.filter(status=Status.POSTED, matched_by=Match.THREAD).count(),
        "unmatched": InboundEmail.objects.filter(status=Status.UNMATCHED).count(),
    }
    wanted = {"tag": expected["tag"] + expected["attachment"], **{k: expected[k] for k in ("thread", "unmatched")}}
    if found != wanted:
        problems.append(f"stored {found}, expected {wanted}")
    follow_ups = Message.objects.filter(kind=Message.Kind.FOLLOW_UP)
    if follow_ups.count() != wanted["tag"] + wanted["thread"]:
        problems.append(f"{follow_ups.count()} follow-ups posted, expected {wanted['tag'] + wanted['thread']}")
    if follow_ups.filter(body__contains="> ").exists():
        problems.append("a follow-up kept the quoted acknowledgment")
    pdfs = Attachment.objects.filter(message__kind=Message.Kind.FOLLOW_UP).count()
    if pdfs != expected["attachment"]:
        problems.append(f"{pdfs} PDFs stored, expected {expected['attachment']}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    options = parser.parse_args()

    server = start_dovecot()
    try:
        with tempfile.TemporaryDirectory() as folder:
            environment = harness.environment(folder)
            environment.update(
                # Acknowledgments are sent at once, into memory, so that their Message-IDs exist to reply to.
                TASKS_BACKEND="immediate",
                INBOUND_EMAIL_ADDRESS=INBOUND,
                ATTACHMENTS_ROOT=os.path.join(folder, "attachments"),
            )
            harness.prepare_database(environment)
            for key in ("TASKS_BACKEND", "INBOUND_EMAIL_ADDRESS", "ATTACHMENTS_ROOT", "MAIL_BACKEND", "LOG_LEVEL"):
                os.environ[key] = environment[key]
            harness.use_database(environment)
            return run(server, options.messages, harness.database_name(environment))
    finally:
        server.stop()


def run(server, count, database):
    import logging

    from django.conf import settings

    from cases.inbound.mailbox import fetch_mailbox
    from cases.inbound.services import receive_message

    logging.getLogger("django.tasks").setLevel(logging.WARNING)  # a line per email sent, otherwise
    filed = file_cases(max(1, count // len(KINDS)))
    expected = dict.fromkeys(KINDS, 0)
    messages = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        case, acknowledgment = filed[(number // len(KINDS)) % len(filed)]
        expected[kind] += 1
        messages.append(reply(number, kind, case, acknowledgment))
    languages = [filed[(number // len(KINDS)) % len(filed)][0].preferred_language for number in range(count)]
    deliver(server, messages)
    size = sum(len(raw) for raw in messages)
    del messages

    before = rss_mb()
    started = time.perf_counter()
    counts = fetch_mailbox(receive_message, imap=server.settings(), max_bytes=settings.INBOUND_EMAIL_MAX_BYTES)
    seconds = time.perf_counter() - started
    peak = rss_mb()
    problems = verify(expected, counts)

    print(f"database: {database}; mailbox: Dovecot over implicit TLS; cases: {len(filed)}")
    print(
        f"messages: {count} ({languages.count('en')} English, {languages.count('fr')} French; "
        + ", ".join(f"{kind} {number}" for kind, number in expected.items())
        + f"); {size / 1024:.0f} KB in all"
    )
    print(f"kept: {counts.kept}; rejected: {counts.rejected}; left in the inbox: {counts.left}")
    print(f"throughput: {count / seconds:.1f} messages/s over {seconds:.1f} s ({seconds / count * 1000:.1f} ms each)")
    print(f"peak memory (RSS): {peak:.0f} MB; before the fetch: {before:.0f} MB")
    for problem in problems:
        print("PROBLEM:", problem)
    print("result:", "FAIL" if problems else "OK: every message filed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
