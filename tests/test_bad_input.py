"""Property-based: whatever arrives, the answer is a page or a clear 4xx, never a 500."""

import re

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cases.models import Case

SLOW = hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
EC_1012 = "importer/yes/yes/error-code/ec-1012/"
anything = (
    st.text(st.characters(codec="utf-8"), max_size=300)
    | st.text(max_size=6000)
    | st.sampled_from(
        ["", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e", "a" * 70_000, "123456782RM0001", "ec-1012"]
    )
)
fields = [
    "full_name",
    "email",
    "telephone",
    "business_name",
    "business_number",
    "preferred_language",
    "description",
    "consent",
    "token",
    "topic",
    "homepage_url",
    "csrfmiddlewaretoken",
]


@pytest.fixture
def open_client(settings):
    """A client that skips CSRF checks, so that the forms themselves see the bad input, with no rate limit."""
    settings.RATELIMIT_ENABLE = False
    return Client(enforce_csrf_checks=False)


def assert_safe(response, sent=()):
    assert response.status_code < 500, response.status_code
    body = response.content.decode("utf-8", "replace")
    for value in sent:
        if isinstance(value, str) and "<script>" in value:
            assert "<script>alert" not in body


@SLOW
@given(segments=st.lists(anything, max_size=8), answer=st.none() | anything, previous=st.none() | anything)
def test_triage_addresses(carm_tree, open_client, segments, answer, previous):
    """Any address under the help tool, with any answer, gets a page, a redirect or a 4xx."""
    from urllib.parse import quote

    path = "/en/help/carm/questions/" + "/".join(quote(s.replace("\x00", ""), safe="") for s in segments)
    params = {k: v for k, v in {"answer": answer, "previous": previous}.items() if v is not None}
    assert_safe(open_client.get(path, params), [answer])


@SLOW
@given(
    data=st.dictionaries(st.sampled_from(fields), anything | st.lists(anything, max_size=3), max_size=len(fields)),
    origin=st.sampled_from(
        ["", f"?tree=carm&answers={EC_1012}", "?tree=carm&answers=importer/", "?tree=%00&answers=%ff"]
    ),
    method=st.sampled_from(["post", "post", "post", "get", "put", "delete", "patch"]),
)
def test_contact_form(carm_tree, open_client, data, origin, method):
    """Random, missing, repeated and tampered fields: a form with errors, a confirmation or a 4xx."""
    before = Case.objects.count()
    response = getattr(open_client, method)("/en/contact/" + origin, data)
    assert_safe(response, data.values())
    if response.status_code == 302 and response.url == "/en/contact/received/":
        case = Case.objects.order_by("-id").first()
        assert Case.objects.count() == before + 1 or case.submission_token == data.get("token")


@SLOW
@given(reference=anything, email=anything, method=st.sampled_from(["post", "post", "get", "put"]))
def test_status_lookup(db, open_client, reference, email, method):
    """Any reference and email: the same not-found answer or a field error, never a 500."""
    response = getattr(open_client, method)("/en/status/", {"reference": reference, "email": email})
    assert_safe(response, [reference, email])


def test_valid_case_stored_with_exactly_what_was_sent(carm_tree, open_client):
    """A submission with odd but valid text is stored exactly as sent and shown as text."""
    text = 'Ligne 1\r\nLigne 2 <b>é</b> \u202e & "quotes"'
    page = open_client.get("/en/contact/?tree=carm&answers=" + EC_1012).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = open_client.post(
        "/en/contact/?tree=carm&answers=" + EC_1012,
        {
            "full_name": "Zoë d'Arcy-Ñúñez",
            "email": "z@example.org",
            "preferred_language": "fr",
            "description": text,
            "consent": "on",
            "token": token,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.full_name == "Zoë d'Arcy-Ñúñez" and case.description == text
