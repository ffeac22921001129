"""A staff reply or a client's follow-up sent twice (a double click, a page run again after a database
outage) writes one message: each form carries a one-time token (cases.tokens). The conversation link's
button, which only opens a session, is run again too."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from cases.conversation.services import case_follow_up, case_reply
from cases.models import Case, CaseEvent, Message, OutboundEmail, StaffNotification
from cases.tokens import conversation_token, issue_token, redeem_token
from tests.cases.test_conversation import open_link
from tests.cases.test_staff_reply import reply_url


def token():
    return redeem_token(issue_token())


def replies(case):
    return OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.REPLY)


def test_a_reply_sent_again_with_its_token_writes_nothing_more(make_case, reviewer):
    """The second send returns the first reply, even though the first has resolved the case since."""
    case = make_case()
    sent = token()
    first = case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED, token=sent)
    again = case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED, token=sent)
    assert again == first and case.messages.get() == first and replies(case).count() == 1
    assert case.events.filter(code=CaseEvent.Code.REPLY_SENT).count() == 1
    case_reply(case, author=reviewer, body="One more thing.", status=Case.Status.RESOLVED, token=token())
    assert case.messages.count() == 2 and replies(case).count() == 2


def test_a_follow_up_sent_again_with_its_token_writes_nothing_more(make_case, reviewer):
    """One message, one event, one notification to staff, however often the same follow-up arrives."""
    case = make_case()
    sent = token()
    first = case_follow_up(case, body="More detail.", language="fr", token=sent)
    again = case_follow_up(case, body="More detail.", language="fr", token=sent)
    assert again.message == first.message and again.case == case and not again.new_case
    assert case.messages.get() == first.message
    assert case.events.filter(code=CaseEvent.Code.FOLLOW_UP_RECEIVED).count() == 1
    assert StaffNotification.objects.filter(kind=StaffNotification.Kind.FOLLOW_UP).count() <= 1


def test_a_late_follow_up_sent_again_files_one_new_case(make_case, reviewer):
    """Past reopening, the follow-up files a new case once; the old case names it once."""
    case = make_case()
    case_reply(case, author=reviewer, body="Done.", status=Case.Status.RESOLVED)
    case.refresh_from_db()
    later, sent = case.resolved_at + timedelta(days=20), token()
    first = case_follow_up(case, body="Again", language="en", at=later, token=sent)
    again = case_follow_up(case, body="Again", language="en", at=later, token=sent)
    assert first.new_case and again.case == first.case
    assert Case.objects.filter(follows=case).count() == 1
    assert case.events.filter(code=CaseEvent.Code.FOLLOWED_BY).count() == 1


def test_a_token_already_used_on_another_case_is_not_an_error(make_case):
    """A page left open in the browser on one case, sent from another's conversation, writes nothing twice."""
    first, second = make_case(), make_case()
    sent = token()
    written = case_follow_up(first, body="Hello", language="en", token=sent).message
    assert case_follow_up(second, body="Hello", language="en", token=sent).message == written
    assert not second.messages.exists()


def test_a_reply_sent_twice_from_the_page_writes_one(make_case, reviewer_client):
    """A double click on "Send the reply": both requests end on the case page, with one reply and one email."""
    case = make_case()
    data = {"body": "Try again now.", "status": "waiting", "action": "send", "token": issue_token()}
    for _ in range(2):
        response = reviewer_client.post(reply_url(case), data)
        assert response.status_code == 302
    assert case.messages.count() == 1 and replies(case).count() == 1


def test_the_reply_box_carries_a_new_token_each_time(make_case, reviewer_client):
    case = make_case()
    pages = [reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk])) for _ in range(2)]
    tokens = [re.search(r'name="token" value="([^"]+)"', page.content.decode())[1] for page in pages]
    assert tokens[0] != tokens[1] and all(redeem_token(each) for each in tokens)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_reply_with_a_tampered_token_keeps_the_text(make_case, reviewer_client, language):
    """The reply is not sent; staff are told so above the form, the text stays, and a new token lets them send."""
    case = make_case()
    data = {"body": "Mon texte.", "status": "waiting", "action": "send", "token": "forged"}
    response = reviewer_client.post(reply_url(case), data, headers={"accept-language": language})
    page = response.content.decode()
    expired = "This form has expired. Send it again." if language == "en" else "Ce formulaire a expiré."
    assert response.status_code == 200 and expired in page and "Mon texte." in page
    assert not case.messages.exists()
    renewed = re.search(r'name="token" value="([^"]+)"', page)[1]
    assert reviewer_client.post(reply_url(case), {**data, "token": renewed}).status_code == 302
    assert case.messages.count() == 1


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_follow_up_with_a_tampered_token_keeps_the_message(client, make_case, language):
    case = make_case()
    open_link(client, case, language)
    data = {"body": "Mes précisions.", "token": "forged"}
    response = client.post(f"/{language}/conversation/", data)
    page = response.content.decode()
    expired = "This form has expired. Send it again." if language == "en" else "Ce formulaire a expiré."
    assert response.status_code == 200 and expired in page and "Mes précisions." in page
    assert not case.messages.exists()
    renewed = re.search(r'name="token" value="([^"]+)"', page)[1]
    assert client.post(f"/{language}/conversation/", {**data, "token": renewed}).status_code == 302
    assert case.messages.count() == 1


def blink_once(real):
    """`real`, failing the first time as a database restarting does."""
    calls = []

    def blinking(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real(*args, **kwargs)

    return blinking, calls


@pytest.mark.django_db(transaction=True)  # a view is never run again inside an open transaction
@pytest.mark.usefixtures("seeded")  # the topics, which a transactional test's flush removed
def test_a_follow_up_rides_out_a_database_blink(client, make_case, settings):
    """The first attempt fails inside its transaction; the page is run again and the client sees it sent."""
    settings.DATABASE_RETRY_SECONDS = 2
    case = make_case()
    open_link(client, case)
    from cases.conversation import services

    blinking, calls = blink_once(services.notify_from_client)
    with mock.patch("cases.conversation.services.notify_from_client", side_effect=blinking):
        response = client.post("/en/conversation/", {"body": "More.", "token": issue_token()})
    assert response.status_code == 302 and len(calls) == 2
    assert Message.objects.filter(case=case).count() == 1


@pytest.mark.django_db(transaction=True)  # a view is never run again inside an open transaction
@pytest.mark.usefixtures("seeded")
def test_a_staff_reply_rides_out_a_database_blink(reviewer_client, make_case, settings):
    settings.DATABASE_RETRY_SECONDS = 2
    case = make_case()
    from cases.conversation import services

    blinking, calls = blink_once(services.queue_email)
    data = {"body": "Try again now.", "status": "waiting", "action": "send", "token": issue_token()}
    with mock.patch("cases.conversation.services.queue_email", side_effect=blinking):
        response = reviewer_client.post(reply_url(case), data)
    assert response.status_code == 302 and len(calls) == 2
    assert case.messages.count() == 1 and replies(case).count() == 1


@pytest.mark.django_db(transaction=True)  # a view is never run again inside an open transaction
@pytest.mark.usefixtures("seeded")
def test_a_conversation_link_opens_through_a_database_blink(client, make_case, settings):
    """The link's button meets a restarting database: it is pressed again for the client, who reaches the page."""
    settings.DATABASE_RETRY_SECONDS = 2
    case = make_case()
    from cases.conversation import views

    blinking, calls = blink_once(views.conversation_case)
    with mock.patch("cases.conversation.views.conversation_case", side_effect=blinking):
        response = client.post(f"/en/conversation/open/{conversation_token(case)}/")
    assert response.status_code == 302 and len(calls) == 2
    page = client.get(response["Location"])
    assert page.status_code == 200 and case.display_reference in page.content.decode()


def test_a_follow_up_from_a_page_without_a_token_is_told_it_expired(client, make_case):
    """A page loaded before its form had a token: the same words as an expired one, the message kept."""
    case = make_case()
    open_link(client, case)
    page = client.post("/en/conversation/", {"body": "Typed before the update."}).content.decode()
    assert "This form has expired. Send it again." in page and "Typed before the update." in page
    assert re.search(r'name="token" value="([^"]+)"', page) and not case.messages.exists()
