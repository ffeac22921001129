"""Bounces: a mail server's report that the client's address refused one of our emails marks that email
bounced with the reason (no address in it), on the case's audit trail and page, and tells the assignee
once; a delay, or a bounce of an email we never sent, is recorded and nothing more; none is answered."""

from email import message_from_bytes, policy
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from cases.inbound.bounces import bounced_email, reason
from cases.inbound.services import receive_message
from cases.models import CaseEvent, InboundEmail, OutboundEmail, StaffNotification, StaffProfile
from cases.services import case_change
from tests.conftest import make_staff

FIXTURES = Path(__file__).parents[1] / "fixtures" / "email" / "bounces"
# The Message-ID the fixtures give the email that bounced; the tests put that of a real email in its place.
OURS = "<176460733112.48211.9187716352310044218@support.example.ca>"
PERMANENT = ["postfix_dsn", "exchange_ndr", "gmail_bounce", "qmail_bounce"]
Status = InboundEmail.Status


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@support.example.ca"


@pytest.fixture
def mia(db):
    return make_staff("mia", "Case reviewers", email="mia@cbsa.example")


@pytest.fixture
def acknowledgment(make_case, mia, django_capture_on_commit_callbacks):
    """The acknowledgment of a case assigned to mia, sent: it has its Message-ID."""
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    case_change(case, actor=mia, assigned_to=mia)
    email = OutboundEmail.objects.get(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    assert email.status == OutboundEmail.Status.SENT and email.internet_message_id
    return email


def bounce(name: str, email: OutboundEmail | None = None) -> bytes:
    """The fixture's bytes, about `email` when given (else about an email we never sent)."""
    raw = (FIXTURES / f"{name}.eml").read_bytes()
    return raw.replace(OURS.encode(), email.internet_message_id.encode()) if email else raw


@pytest.fixture
def received(mailoutbox, django_capture_on_commit_callbacks):
    """Take in a message, its emails sent once it commits; the emails sent, (to, subject)."""

    def run(raw):
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            run.outcome = receive_message(raw)
        return [(each.to[0], each.subject) for each in mailoutbox[before:]]

    return run


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "postfix_dsn",
            "5.1.1: 550 5.1.1 (recipient): Recipient address rejected: User unknown in virtual mailbox table",
        ),
        ("exchange_ndr", "5.1.10: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient (recipient) not found by SMTP"),
        ("gmail_bounce", "5.1.1: 550 5.1.1 (recipient): Recipient address rejected: User unknown in local recipient"),
        ("qmail_bounce", "5.1.1: (recipient): Sorry, no mailbox here by that name. (#5.1.1)"),
    ],
)
def test_a_bounce_marks_the_email_bounced_with_the_reason_and_no_address(acknowledgment, received, name, expected):
    mail = received(bounce(name, acknowledgment))
    assert received.outcome.kept and received.outcome.reason == Status.BOUNCE
    acknowledgment.refresh_from_db()
    assert acknowledgment.status == OutboundEmail.Status.BOUNCED
    assert acknowledgment.last_error.startswith(expected)
    assert "ann" not in acknowledgment.last_error and "@" not in acknowledgment.last_error
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.case, inbound.matched_by) == (Status.BOUNCE, acknowledgment.case, "report")
    assert inbound.raw  # kept privately, as every email received about a case
    event = acknowledgment.case.events.get(code=CaseEvent.Code.EMAIL_BOUNCED)
    assert event.params == {"kind": "acknowledgment", "status": expected.partition(":")[0]}
    reference = acknowledgment.case.display_reference
    # The assignee is told; the client is sent nothing.
    assert mail == [("mia@cbsa.example", f"The client's address refused our email: {reference}")]


def test_a_bounce_seen_twice_or_reported_twice_changes_nothing_twice(acknowledgment, received):
    raw = bounce("postfix_dsn", acknowledgment)
    assert len(received(raw)) == 1
    assert received(raw) == [] and received.outcome.reason == "duplicate"
    # Another mail server's report of the same email: recorded, and nothing more is done.
    assert received(bounce("gmail_bounce", acknowledgment)) == []
    assert InboundEmail.objects.filter(status=Status.BOUNCE).count() == 2
    assert acknowledgment.case.events.filter(code=CaseEvent.Code.EMAIL_BOUNCED).count() == 1
    assert StaffNotification.objects.filter(kind=StaffNotification.Kind.BOUNCED).count() == 1
    acknowledgment.refresh_from_db()
    assert acknowledgment.last_error.startswith(
        "5.1.1: 550 5.1.1 (recipient): Recipient address rejected: User unknown in virtual"
    )


def test_a_delay_is_recorded_as_automatic_and_nothing_more(acknowledgment, received):
    assert received(bounce("postfix_delayed", acknowledgment)) == []
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.case, inbound.raw.name) == (Status.AUTOMATIC, None, "")
    acknowledgment.refresh_from_db()
    assert (acknowledgment.status, acknowledgment.last_error) == (OutboundEmail.Status.SENT, "")
    assert not CaseEvent.objects.filter(code=CaseEvent.Code.EMAIL_BOUNCED).exists()


@pytest.mark.parametrize("name", ["exim_unknown", *PERMANENT])
def test_a_bounce_of_an_email_we_never_sent_is_recorded_and_nothing_more(acknowledgment, received, name):
    assert received(bounce(name)) == []
    inbound = InboundEmail.objects.get()
    assert (inbound.status, inbound.case, inbound.raw.name) == (Status.AUTOMATIC, None, "")
    acknowledgment.refresh_from_db()
    assert acknowledgment.status == OutboundEmail.Status.SENT
    assert not StaffNotification.objects.filter(kind=StaffNotification.Kind.BOUNCED).exists()


def test_a_report_naming_an_email_to_staff_is_no_clients_bounce(
    acknowledgment, received, django_capture_on_commit_callbacks
):
    """Only emails to clients bounce as the client's address: a notice to staff is not one of them."""
    from cases.outbox.queue import queue_staff_email

    with django_capture_on_commit_callbacks(execute=True):
        notice = queue_staff_email(
            acknowledgment.case, OutboundEmail.Kind.FOLLOW_UP_NOTICE, acknowledgment.case.assigned_to
        )
    notice.refresh_from_db()
    assert notice.internet_message_id
    received(bounce("postfix_dsn", notice))
    assert InboundEmail.objects.get().status == Status.AUTOMATIC
    notice.refresh_from_db()
    assert notice.status == OutboundEmail.Status.SENT


def test_without_an_assignee_the_team_is_told(make_case, received, django_capture_on_commit_callbacks):
    from cases.models import Team
    from helpdesk.models import Topic

    team = Team.objects.create(name_en="Payments", name_fr="Paiements")
    team.topics.set(Topic.objects.filter(slug="rm-account"))
    team.members.set([make_staff("tia", "Case reviewers", email="tia@cbsa.example")])
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case("rm-account")
    email = case.emails.get(kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    mail = received(bounce("exchange_ndr", email))
    assert mail == [("tia@cbsa.example", f"The client's address refused our email: {case.display_reference}")]


def test_the_notice_is_in_the_staffs_language(acknowledgment, received, mia, mailoutbox):
    StaffProfile.objects.update_or_create(user=mia, defaults={"language": "fr"})
    received(bounce("postfix_dsn", acknowledgment))
    notice = mailoutbox[-1]
    reference = acknowledgment.case.display_reference
    assert notice.subject == f"L'adresse du client a refusé notre courriel\u00a0: {reference}"
    assert f"L'adresse du client a refusé notre courriel au sujet de la demande {reference}\u00a0:" in notice.body
    assert "ann@example.org" not in notice.body


def test_the_case_page_says_the_address_bounced(acknowledgment, received, mia, client):
    from tests.conftest import sign_in_staff

    staff_client = sign_in_staff(client, mia)
    page = reverse("admin:cases_case_change", args=[acknowledgment.case.pk])
    before = staff_client.get(page).content.decode().replace("&#x27;", "'")
    assert "Email bounced" in before and "Yes: the client's address" not in before
    received(bounce("postfix_dsn", acknowledgment))
    shown = staff_client.get(page).content.decode().replace("&#x27;", "'")
    assert "Yes: the client's address refused our email." in shown
    assert "Acknowledgment, sent" in shown and "5.1.1: 550 5.1.1 (recipient): Recipient address rejected" in shown
    assert "Bounced" in shown  # the emails to the client, with their status
    french = staff_client.get(page, HTTP_ACCEPT_LANGUAGE="fr").content.decode().replace("&#x27;", "'")
    assert "Oui\u00a0: l'adresse du client a refusé notre courriel." in french
    assert "Retourné" in french


def test_the_outgoing_emails_are_filtered_by_bounced(acknowledgment, received, admin_client):
    received(bounce("qmail_bounce", acknowledgment))
    page = admin_client.get(reverse("admin:cases_outboundemail_changelist"), {"status": "bounced"}).content.decode()
    assert "(#5.1.1)" in page and "Bounced" in page
    sent = admin_client.get(reverse("admin:cases_outboundemail_changelist"), {"status": "sent"}).content.decode()
    assert "(#5.1.1)" not in sent


def test_the_audit_trail_and_labels_read_in_french(acknowledgment, received):
    received(bounce("postfix_dsn", acknowledgment))
    event = acknowledgment.case.events.get(code=CaseEvent.Code.EMAIL_BOUNCED)
    assert event.description == "The client's address refused our email: acknowledgment (5.1.1)"
    with translation.override("fr"):
        assert event.description == "L'adresse du client a refusé notre courriel\u00a0: accusé de réception (5.1.1)"
        assert str(OutboundEmail.Status.BOUNCED.label) == "Retourné"
        assert str(InboundEmail.Status.BOUNCE.label).startswith("Retour\u00a0:")


def test_the_reason_is_short_and_names_no_address():
    long = "smtp; 550 5.7.1 <ann@example.org> " + "refused " * 60
    written = reason("5.7.1", long)
    assert len(written) == 300 and written.startswith("5.7.1: 550 5.7.1 (recipient) refused")
    assert reason("5.1.1", "") == "5.1.1"


def test_a_person_writing_about_a_bounce_is_not_a_bounce(acknowledgment):
    """A client's own email mentioning an error code and our Message-ID is theirs, not a mail server's."""
    text = (
        f"From: Ann Smith <ann@example.org>\nTo: support@support.example.ca\nSubject: Re: 550 5.1.1\n"
        f"In-Reply-To: {acknowledgment.internet_message_id}\nMessage-ID: <x1@example.org>\n\nMy mailbox said 5.1.1?\n"
    )
    assert bounced_email(message_from_bytes(text.encode(), policy=policy.default)) is None


def test_the_bounce_is_listed_in_received_emails_with_its_case(acknowledgment, received, admin_client):
    received(bounce("exchange_ndr", acknowledgment))
    inbound = InboundEmail.objects.get()
    listed = admin_client.get(reverse("admin:cases_inboundemail_changelist"), {"status": "bounce"}).content.decode()
    assert "Bounce: the client&#x27;s address refused our email" in listed
    page = admin_client.get(reverse("admin:cases_inboundemail_change", args=[inbound.pk])).content.decode()
    assert acknowledgment.case.display_reference in page and "RecipientNotFound" in page
    assert "Accept and post it on the case" not in page and "Attach it to the case" not in page
