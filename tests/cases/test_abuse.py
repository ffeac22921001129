"""Abuse: rate limits per address, the honeypot, and the record of staff opening cases."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseAccess
from tests.cases.test_contact import FORM, contact_url, form_token

EC_1012 = "importer/yes/yes/error-code/ec-1012/"


@pytest.fixture
def tight_limits(settings):
    settings.RATE_LIMITS = {"contact": "3/h", "status": "2/h"}


def test_contact_form_is_rate_limited(carm_tree, client, tight_limits):
    """The fourth request in an hour from one address gets 429 saying when to try again."""
    url = contact_url(EC_1012)
    for _ in range(3):
        assert client.post(url, {**FORM, "token": form_token(client, url)}).status_code == 302
    response = client.post(url, {**FORM, "token": form_token(client, url)})
    assert response.status_code == 429
    retry = int(response["Retry-After"])
    assert 0 < retry <= 3600
    page = response.content.decode()
    assert "send it again in" in page and "minute" in page
    for typed in ("Ann Smith", "ann@example.org", "The portal shows EC-1012 when I register."):
        assert typed in page
    assert "no-store" in response["Cache-Control"]
    assert Case.objects.count() == 3
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_limits_are_per_address(carm_tree, client, tight_limits):
    """Another address is not held back by the first one's requests."""
    url = contact_url(EC_1012)
    for _ in range(4):
        client.post(url, {**FORM, "token": form_token(client, url)})
    other = client.post(url, {**FORM, "token": form_token(client, url)}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302


def test_status_lookup_is_rate_limited(db, client, tight_limits):
    for _ in range(2):
        assert client.post(reverse("cases:status"), {"reference": "x", "email": "a@example.org"}).status_code == 200
    assert client.post(reverse("cases:status"), {"reference": "x", "email": "a@example.org"}).status_code == 429


def test_honeypot_drops_quietly(carm_tree, client):
    """A form with the hidden field filled in looks sent, but files nothing."""
    url = contact_url(EC_1012)
    response = client.post(url, {**FORM, "token": form_token(client, url), "homepage_url": "http://spam.example"})
    assert response.status_code == 200 and "Request received" in response.content.decode()
    assert not Case.objects.exists()


def test_honeypot_is_hidden_from_people(carm_tree, client):
    page = client.get(contact_url(EC_1012)).content.decode()
    assert '<div class="honeypot" aria-hidden="true">' in page and 'tabindex="-1"' in page


def test_staff_opening_a_case_is_recorded(make_case, admin_client, admin_user):
    """Who opened which case, and when."""
    case = make_case()
    admin_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    access = CaseAccess.objects.get()
    assert access.case == case and access.user == admin_user
    assert admin_client.get(reverse("admin:cases_case_change", args=["99999"])).status_code == 302
    assert CaseAccess.objects.count() == 1
