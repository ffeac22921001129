"""Acknowledgments through a real SMTP server that stops and comes back: nothing lost, nothing twice."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case
from tests.cases.test_contact import FORM, contact_url, form_token


def file_case(client, number):
    url = contact_url("importer/yes/yes/error-code/ec-1012/")
    data = {
        **FORM,
        "token": form_token(client, url),
        "full_name": f"Client {number}",
        "email": f"client{number}@example.org",
    }
    assert client.post(url, data).status_code == 302


def test_server_down_mid_run(carm_tree, client, smtp):
    """Cases filed while the server is down are kept and sent once it is back, each exactly once."""
    for number in range(3):
        file_case(client, number)
    assert len(smtp.inbox.messages) == 3
    smtp.stop()
    for number in range(3, 5):
        file_case(client, number)
    assert Case.objects.count() == 5
    pending = Case.objects.filter(acknowledged_at__isnull=True)
    assert pending.count() == 2
    assert all(case.acknowledgment_error for case in pending)
    with pytest.raises(CommandError):
        call_command("send_pending_acknowledgments", stdout=io.StringIO())
    smtp.start()
    call_command("send_pending_acknowledgments", stdout=io.StringIO())
    call_command("send_pending_acknowledgments", stdout=io.StringIO())
    assert len(smtp.inbox.messages) == 5
    sent = Counter(
        case.display_reference
        for case in Case.objects.all()
        for message in smtp.inbox.messages
        if case.display_reference in message
    )
    assert len(sent) == 5 and set(sent.values()) == {1}  # every case's reference in exactly one message
    assert not Case.objects.filter(acknowledged_at__isnull=True).exists()
