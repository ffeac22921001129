"""Emails whose outcome is unknown (the mail server had them whole, then timed out): one more try
at most, one Message-ID for every copy, then "sent, unconfirmed", never failed. (With a real
mail server: tests/cases/test_email_delivery.py.)"""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse

from carmsupport.mail import DeliveryUnconfirmed
from cases.models import CaseEvent, OutboundEmail
from cases.outbox import queue as outbox
from tests.cases.test_outbox import LOCMEM, REFUSING, codes, reply

Status = OutboundEmail.Status
Code = CaseEvent.Code
UNCONFIRMING = {"default": {"BACKEND": "tests.cases.test_unconfirmed.UnconfirmingBackend"}}


class UnconfirmingBackend(BaseEmailBackend):
    """A mail server that has the whole email (kept in mail.outbox), then never says it took it."""

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        try:
            raise TimeoutError("timed out")
        except TimeoutError as error:
            raise DeliveryUnconfirmed("no reply after the message was sent") from error


@pytest.fixture
def acknowledgment(make_case, settings, clock, django_capture_on_commit_callbacks):
    """A case whose acknowledgment's first attempt had an unknown outcome."""
    settings.MAILERS = UNCONFIRMING
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case()
    return case.emails.get()


def next_attempt(email, clock, mailers, settings):
    settings.MAILERS = mailers
    clock.to(email.next_attempt_at)
    outcome = outbox.deliver(email.pk)
    email.refresh_from_db()
    email.case.refresh_from_db()
    return outcome


def test_an_unknown_outcome_is_tried_once_more_with_the_same_message_id(acknowledgment, clock, settings):
    """Tried again after the usual wait; not a failure, and the client is not told there was one."""
    email, first = acknowledgment, clock.now
    assert (email.status, email.attempts, email.sent_at) == (Status.QUEUED, 1, first)
    assert email.next_attempt_at == first + timedelta(minutes=1)
    assert email.last_error == "TimeoutError: timed out"
    assert email.case.acknowledged_at is None and email.case.acknowledgment_error == ""
    assert next_attempt(email, clock, LOCMEM, settings) == "sent"
    assert (email.status, email.attempts, email.sent_at) == (Status.SENT, 2, clock.now)
    assert [message.extra_headers["Message-ID"] for message in mail.outbox] == [email.internet_message_id] * 2
    assert codes(email.case) == [Code.RECEIVED, Code.EMAIL_UNCONFIRMED, Code.ACKNOWLEDGED]


@pytest.mark.parametrize("second", [UNCONFIRMING, REFUSING])
def test_after_the_one_more_try_it_is_sent_unconfirmed_never_failed(acknowledgment, clock, settings, second):
    """Unknown again, or a sure failure this time: the first copy may have arrived, so the email is
    sent, unconfirmed; the acknowledgment counts as sent, and nothing sends it again."""
    email, first = acknowledgment, clock.now
    assert next_attempt(email, clock, second, settings) == "unconfirmed"
    assert (email.status, email.attempts) == (Status.UNCONFIRMED, 2)
    assert email.sent_at == (clock.now if second == UNCONFIRMING else first)
    assert email.case.acknowledged_at == email.sent_at and email.case.acknowledgment_error == ""
    then = Code.EMAIL_UNCONFIRMED if second == UNCONFIRMING else Code.EMAIL_FAILED
    assert codes(email.case) == [Code.RECEIVED, Code.EMAIL_UNCONFIRMED, then]
    clock.to(clock.now + timedelta(days=2))
    settings.MAILERS = LOCMEM
    assert outbox.deliver(email.pk) == "skipped" and outbox.requeue_stale() == 0
    out = io.StringIO()
    call_command("send_queued_emails", "--now", stdout=out)  # no error: nothing failed
    assert "0 failed in the last 24 hours" in out.getvalue()
    assert len(mail.outbox) == (2 if second == UNCONFIRMING else 1)


def test_an_unknown_outcome_on_the_last_attempt_is_sent_unconfirmed(make_case, settings, clock):
    settings.MAILERS, settings.EMAIL_MAX_ATTEMPTS = REFUSING, 2
    case = make_case()
    email = case.emails.get()
    assert outbox.deliver(email.pk) == "queued"
    email.refresh_from_db()
    assert next_attempt(email, clock, UNCONFIRMING, settings) == "unconfirmed"
    assert (email.status, email.attempts) == (Status.UNCONFIRMED, 2)
    assert codes(email.case) == [Code.RECEIVED, Code.EMAIL_FAILED, Code.EMAIL_UNCONFIRMED]
    assert not email.case.events.filter(code=Code.ACKNOWLEDGMENT_FAILED).exists()


def test_send_queued_emails_counts_it_apart_from_failures(make_case, settings):
    settings.MAILERS, settings.EMAIL_MAX_ATTEMPTS = UNCONFIRMING, 1
    make_case()
    out = io.StringIO()
    call_command("send_queued_emails", "--now", stdout=out)
    assert "0 email(s) sent, 0 to try again later, 0 failed for good, 0 cancelled. 1 sent unconfirmed." in (
        out.getvalue()
    )
    assert "0 failed in the last 24 hours. 1 sent unconfirmed in the last 24 hours." in (out.getvalue())


def test_staff_see_it_in_their_language_and_may_send_it_again(
    make_case, settings, admin_client, django_capture_on_commit_callbacks
):
    settings.MAILERS, settings.EMAIL_MAX_ATTEMPTS = UNCONFIRMING, 1
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        email = reply(case, "Done.")
    email.refresh_from_db()
    assert email.status == Status.UNCONFIRMED
    page = admin_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert "<td>Sent, unconfirmed</td>" in page
    assert "Email sent, unconfirmed: reply, attempt 1 (TimeoutError after the mail server had the whole email)" in page
    french = admin_client.get(reverse("admin:cases_case_change", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    page = french.content.decode()
    assert "<td>Envoyé, non confirmé</td>" in page
    assert (
        "Courriel envoyé, non confirmé\u00a0: réponse, tentative 1 (TimeoutError après la transmission complète "
        "du courriel au serveur de messagerie)"
    ) in page
    listing = admin_client.get(reverse("admin:cases_outboundemail_changelist"), {"status__exact": "unconfirmed"})
    assert "Sent, unconfirmed" in listing.content.decode() and listing.context["cl"].result_count == 1
    detail = admin_client.get(reverse("admin:cases_outboundemail_change", args=[email.pk])).content.decode()
    assert email.internet_message_id.strip("<>") in detail
    settings.MAILERS = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:cases_outboundemail_changelist"),
            {"action": "send_again", "_selected_action": [email.pk]},
        )
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 2)
    assert mail.outbox[-1].extra_headers["Message-ID"] == email.internet_message_id
