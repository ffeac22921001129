"""A case and its acknowledgment are saved together: a database failure on the way loses nothing,
doubles nothing, and leaves no case without its acknowledgment decided."""

from unittest import mock

import pytest
from django.db import OperationalError

from cases.models import Case, OutboundEmail
from tests.cases.test_contact import EC_1012, FORM, contact_url, form_token


@pytest.fixture
def form(carm_tree, client):
    url = contact_url(EC_1012)
    return url, {**FORM, "token": form_token(client, url)}


def acknowledgments():
    return OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGMENT)


def test_a_failure_between_the_case_and_its_email_saves_neither(client, form):
    """The outbox row fails: the case is rolled back with it, the client keeps what they typed, and
    sending the form again files one case with its acknowledgment."""
    url, data = form
    failing = OperationalError("server closed the connection")
    with mock.patch("cases.intake.submission.queue_email", side_effect=failing):
        response = client.post(url, data)
    assert response.status_code == 503 and FORM["description"] in response.content.decode()
    assert not Case.objects.exists() and not acknowledgments().exists()
    assert client.post(url, data).status_code == 302
    case = Case.objects.get()
    assert acknowledgments().get().case == case


def test_a_failure_after_the_commit_keeps_the_case_and_its_email(client, form):
    """The commit went through but the response failed (the session could not be saved): the client
    is told to try again, never shown a 500, and sending again finds the same case, with one email."""
    url, data = form
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save",
        side_effect=OperationalError("the database is shutting down"),
    ):
        response = client.post(url, data)
    assert response.status_code == 503 and "Your request could not be confirmed" in response.content.decode()
    case = Case.objects.get()
    assert acknowledgments().get().case == case
    response = client.post(url, data)
    assert response.status_code == 302 and Case.objects.get() == case and acknowledgments().count() == 1
    confirmation = client.get(response["Location"]).content.decode()
    assert all(group in confirmation for group in case.reference_groups)


def test_a_case_sent_again_without_a_decision_gets_it(client, form, make_case):
    """A case saved without its acknowledgment decided (as before both shared a transaction) gets it
    when its form is sent again; a case withheld or acknowledged gets nothing more."""
    url, data = form
    client.post(url, data)
    case = Case.objects.get()
    acknowledgments().delete()
    client.post(url, data)
    assert acknowledgments().get().case == case
    client.post(url, data)
    assert acknowledgments().count() == 1


def test_a_database_failure_after_any_view_is_a_503(make_case, client):
    """The session saved after the status lookup fails: "please try again" with 503, never a 500."""
    case = make_case()
    client.raise_request_exception = False
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save", side_effect=OperationalError("gone")):
        response = client.post("/en/status/", {"reference": case.display_reference, "email": case.email})
    assert response.status_code == 503 and response["Retry-After"] == "30"


@pytest.mark.django_db(transaction=True)  # a view is never run again inside an open transaction
@pytest.mark.usefixtures("seeded")  # the topics, which a transactional test's flush removed
def test_a_database_blink_during_the_post_files_the_case_without_an_error_page(client, form, settings):
    """The database fails the first time the form is filed (a restart): the form is filed again at once, with
    its token, and the client is sent to the confirmation with one case and one acknowledgment."""
    url, data = form
    settings.DATABASE_RETRY_SECONDS = 2
    from cases.intake import submission

    filed = submission.queue_email
    calls = []

    def blink_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("the database system is shutting down")
        return filed(*args, **kwargs)

    with mock.patch("cases.intake.submission.queue_email", side_effect=blink_once):
        response = client.post(url, data)
    assert response.status_code == 302 and len(calls) == 2
    assert Case.objects.count() == 1 and acknowledgments().count() == 1


@pytest.mark.django_db(transaction=True)  # a view is never run again inside an open transaction
@pytest.mark.usefixtures("seeded")  # the topics, which a transactional test's flush removed
def test_a_status_lookup_rides_out_a_database_blink(client, make_case, settings):
    """A lookup only reads: a database error the first time is followed by the answer, not the error page."""
    settings.DATABASE_RETRY_SECONDS = 2
    case = make_case()
    from django.db.models.query import QuerySet

    first = QuerySet.first
    calls = []

    def blink_once(queryset):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return first(queryset)

    with mock.patch.object(QuerySet, "first", blink_once):
        response = client.post("/en/status/", {"reference": case.display_reference, "email": case.email})
    assert response.status_code == 302 and len(calls) >= 2
