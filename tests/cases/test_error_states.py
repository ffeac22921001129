"""The public forms refused by their rate limit (429) or by a database outage (503), in both languages:
the title starts with "Error:", a summary at the top says what happened, and what was typed is kept."""

import html
import re
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import translation
from django.utils.translation import gettext

from cases.conversation.services import case_reply
from cases.models import Case
from cases.tokens import conversation_token
from tests.cases.test_contact import EC_1012, FORM, form_token
from tests.conftest import localized

LANGUAGES = ["en", "fr"]
TYPED = {"reference": "CS-7KQ-2M9-XDT", "email": "typed@example.org"}


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


def title(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.DOTALL)[1])


def limited(settings, group):
    """One post an hour for the group, so the second is refused."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, group: "1/h"}


def assert_error_page(response, language, heading):
    """An error page in the language: "Error:" first in its title, and its summary, focused, at the top."""
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert title(page).startswith(in_language(language, "Error:") + " ")
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1" autofocus>\s*<h2>(.*?)</h2>', page)
    assert summary and html.unescape(summary[1]) == in_language(language, heading)
    assert page.index('class="error-summary"') < page.index("<h1>")
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_contact_form_refused_by_the_rate_limit(carm_tree, client, settings, language):
    limited(settings, "contact")
    url = localized(language, f"/contact/?tree=carm&answers={EC_1012}")
    client.post(url, {})
    response = client.post(url, {**FORM, "token": form_token(client, url)})
    assert response.status_code == 429
    page = assert_error_page(response, language, "Your request was not sent")
    assert FORM["description"] in html.unescape(page) and not Case.objects.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_contact_form_refused_by_a_database_outage(carm_tree, client, language):
    url = localized(language, f"/contact/?tree=carm&answers={EC_1012}")
    data = {**FORM, "token": form_token(client, url)}
    failing = OperationalError("server closed the connection")
    with mock.patch("cases.intake.submission.queue_email", side_effect=failing):
        response = client.post(url, data)
    assert response.status_code == 503
    page = assert_error_page(response, language, "Your request was not sent")
    assert FORM["description"] in html.unescape(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_lookup_refused_by_the_rate_limit_keeps_what_was_typed(db, client, settings, language):
    limited(settings, "status")
    url = localized(language, "/status/")
    client.post(url, {"reference": "", "email": ""})
    response = client.post(url, TYPED)
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 3600
    page = assert_error_page(response, language, "The status was not checked")
    assert f'value="{TYPED["reference"]}"' in page and f'value="{TYPED["email"]}"' in page
    not_found = "We could not find a request with this reference number and email address. Check both and try again."
    assert in_language(language, not_found) not in page and 'class="error-message"' not in page  # nothing checked


@pytest.mark.parametrize("language", LANGUAGES)
def test_link_request_refused_by_the_rate_limit_keeps_what_was_typed(db, client, settings, language):
    limited(settings, "conversation_link")
    url = localized(language, "/conversation/link/")
    client.post(url, {"reference": "", "email": ""})
    response = client.post(url, TYPED)
    assert response.status_code == 429
    page = assert_error_page(response, language, "Your request for a link was not sent")
    assert f'value="{TYPED["reference"]}"' in page and f'value="{TYPED["email"]}"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_follow_up_refused_by_the_rate_limit_keeps_what_was_typed(client, make_case, settings, language):
    limited(settings, "follow_up")
    case = make_case()
    case_reply(case, author=None, body="What error code do you see?", status=Case.Status.WAITING_ON_CLIENT)
    client.post(localized(language, f"/conversation/open/{conversation_token(case)}/"))
    url = localized(language, "/conversation/")
    client.post(url, {"body": ""})
    response = client.post(url, {"body": "The code is EC-1012."})
    assert response.status_code == 429
    page = assert_error_page(response, language, "Your message was not sent")
    assert "The code is EC-1012." in page and not case.messages.filter(kind="follow_up").exists()
