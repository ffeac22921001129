"""The daily caps count mailboxes, not spellings, and hold when requests arrive at once."""

import threading

import pytest
from django.db import connection, connections

from cases.models import Case, MailboxCount, OutboundEmail
from cases.outbox.mailboxes import mailbox


@pytest.mark.parametrize(
    "address",
    [
        "victim@example.org",
        "Victim@Example.ORG",
        "victim+1@example.org",
        "victim+anything+else@example.org",
        '"victim"@example.org',
        '"Victim+2"@example.org',
        "victim@example.org.",
    ],
)
def test_spellings_of_one_mailbox(address):
    assert mailbox(address) == "victim@example.org"


def test_an_internationalised_domain_and_its_ascii_form_are_one_mailbox():
    assert mailbox("ann@bücher.example") == mailbox("ANN+x@xn--bcher-kva.example") == "ann@xn--bcher-kva.example"


def test_other_mailboxes_stay_apart():
    assert len({mailbox(a) for a in ("ann@example.org", "anne@example.org", "ann@example.com")}) == 3


def test_the_acknowledgment_cap_counts_one_mailbox(make_case):
    """`victim+1@`, `"victim"@` and the xn-- form each count against the same three."""
    spellings = ["victim@bücher.example", "victim+1@bücher.example", '"victim"@bücher.example']
    spellings += ["VICTIM+2@xn--bcher-kva.example", "victim@xn--bcher-kva.example"]
    cases = [make_case(email=address) for address in spellings]
    assert [case.acknowledgment_withheld for case in cases] == [False, False, False, True, True]
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGMENT).count() == 3


def test_the_counts_keep_no_address(make_case):
    make_case(email="victim@example.org")
    (row,) = MailboxCount.objects.all()
    assert "victim" not in row.mailbox_digest and len(row.mailbox_digest) == 64 and row.count == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_thirty_simultaneous_submissions_queue_three_acknowledgments(seeded):
    """30 forms for one mailbox at once, each in its own connection: at most 3 acknowledgments are queued."""
    from cases.intake.help_paths import PathTaken
    from cases.intake.submission import case_submit
    from helpdesk.models import Topic
    from tests.conftest import CONTACT

    topic = Topic.objects.first()
    start = threading.Barrier(30)
    errors = []

    def submit(number):
        try:
            start.wait()
            case_submit(
                contact={**CONTACT, "email": f"victim+{number}@example.org"}, path_taken=PathTaken.straight(topic)
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(number,)) for number in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Case.objects.count() == 30
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGMENT).count() == 3
    assert Case.objects.filter(acknowledgment_withheld=True).count() == 27
