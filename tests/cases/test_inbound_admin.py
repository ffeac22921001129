"""The emails received, in the admin: a held one accepted, an unmatched one attached to a case by its
reference (a wrong one refused beside the field, kept as typed), the text shown as text only, and
deciding left to those who may change cases."""

import pytest
from django.urls import reverse

from cases.inbound.services import receive_message
from cases.models import InboundEmail, Message
from tests.cases.test_inbound_receive import raw, reply
from tests.conftest import make_staff, sign_in_staff

Status = InboundEmail.Status


@pytest.fixture(autouse=True)
def inbound(settings):
    settings.INBOUND_EMAIL_ADDRESS = "support@support.example.ca"


def page(inbound):
    return reverse("admin:cases_inboundemail_change", args=[inbound.pk])


def decide(inbound):
    return reverse("admin:cases_inboundemail_decide", args=[inbound.pk])


def test_staff_accept_a_held_email(make_case, reviewer_client):
    case = make_case()
    receive_message(raw(reply(case, sender="assistant@example.org", text="<b>Bold</b> <script>x()</script>")))
    held = InboundEmail.objects.get()
    shown = reviewer_client.get(page(held)).content.decode()
    assert "Accept and post it on the case" in shown and case.display_reference in shown
    assert "&lt;b&gt;Bold&lt;/b&gt;" in shown and "<script>x()" not in shown
    response = reviewer_client.post(decide(held), {"accept": "1"})
    assert response.status_code == 302 and response["Location"] == page(held)
    held.refresh_from_db()
    assert held.status == Status.ACCEPTED and held.message.kind == Message.Kind.FOLLOW_UP


def test_staff_attach_an_unmatched_email_by_reference(make_case, reviewer_client):
    case = make_case()
    receive_message(raw(reply(case, to="support@support.example.ca", subject="Help")))
    unmatched = InboundEmail.objects.get()
    shown = reviewer_client.get(page(unmatched)).content.decode()
    assert "Attach it to the case" in shown
    response = reviewer_client.post(decide(unmatched), {"reference": "CS-NOT-REAL"})
    shown = response.content.decode()
    assert response.status_code == 200 and "This is not a case reference." in shown and 'value="CS-NOT-REAL"' in shown
    assert shown.startswith("<!DOCTYPE html>") and "<title>Error:" in shown
    response = reviewer_client.post(decide(unmatched), {"reference": case.display_reference.lower()})
    assert response.status_code == 302
    unmatched.refresh_from_db()
    assert unmatched.status == Status.ACCEPTED and unmatched.case == case


def test_only_those_who_may_change_cases_decide(make_case, client):
    case = make_case()
    receive_message(raw(reply(case, sender="assistant@example.org")))
    held = InboundEmail.objects.get()
    viewer = make_staff("viewer", permissions=["cases.view_case"])
    sign_in_staff(client, viewer)
    shown = client.get(page(held)).content.decode()
    assert "Accept and post it on the case" not in shown
    assert client.post(decide(held), {"accept": "1"}).status_code == 403
    held.refresh_from_db()
    assert held.status == Status.HELD


def test_the_list_filters_by_what_waits_for_staff(make_case, reviewer_client):
    case = make_case()
    receive_message(raw(reply(case, sender="assistant@example.org")))
    listing = reviewer_client.get(reverse("admin:cases_inboundemail_changelist"), {"status__exact": "held"})
    assert listing.status_code == 200 and case.display_reference in listing.content.decode()


def test_a_tampered_address_gets_a_friendly_page(reviewer_client):
    assert reviewer_client.get("/admin/cases/inboundemail/nope/decide/").status_code == 404


def test_a_follow_up_by_email_links_to_the_whole_email(make_case, reviewer_client):
    case = make_case()
    receive_message(raw(reply(case)))
    posted = InboundEmail.objects.get()
    shown = reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()
    assert f'<a href="{page(posted)}">Received by email: read the whole email</a>' in shown
    whole = reviewer_client.get(page(posted)).content.decode()
    assert "We received your request." in whole  # the quoted history, on the email's page only
    assert "We received your request." not in shown


def test_staff_file_a_new_case_from_an_unmatched_email(make_case, reviewer_client, django_capture_on_commit_callbacks):
    from helpdesk.models import Topic

    case = make_case()
    receive_message(raw(reply(case, to="support@support.example.ca", subject="New question", sender="bob@example.net")))
    unmatched = InboundEmail.objects.get()
    assert "File a new case" in reviewer_client.get(page(unmatched)).content.decode()
    refused = reviewer_client.post(decide(unmatched), {"file-topic": "", "file-language": "fr"})
    shown = refused.content.decode()
    assert refused.status_code == 200 and "Choose the topic of the new case." in shown
    assert 'value="fr" id="id_file-language_1" checked' in shown or ('value="fr"' in shown and "checked" in shown)
    topic = Topic.objects.get(slug="cad")
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post(decide(unmatched), {"file-topic": topic.pk, "file-language": "fr"})
    unmatched.refresh_from_db()
    filed = unmatched.case
    assert response.status_code == 302 and response["Location"] == reverse("admin:cases_case_change", args=[filed.pk])
    assert (unmatched.status, unmatched.matched_by) == (Status.FILED, InboundEmail.Match.STAFF)
    assert (filed.email, filed.full_name, filed.topic, filed.preferred_language) == (
        "bob@example.net",
        "Ann Smith",
        topic,
        "fr",
    )
    assert filed.description == "Here is the statement you asked for." and filed.acknowledged_at is not None


def test_the_case_page_shows_the_emails_held(make_case, reviewer_client):
    case = make_case()
    case_page = reverse("admin:cases_case_change", args=[case.pk])
    assert "Held until you accept them" not in reviewer_client.get(case_page).content.decode()
    receive_message(raw(reply(case, sender="assistant@example.org")))
    shown = reviewer_client.get(case_page).content.decode()
    held = InboundEmail.objects.get()
    assert "Held until you accept them as the client&#x27;s:" in shown and f'href="{page(held)}"' in shown
    assert "assistant@example.org" in shown
