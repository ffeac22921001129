"""The id of the request that queued an email travels with it: stored on the outbox row, and carried by
the log lines of its sending, in the worker."""

import contextvars
import logging

import pytest
from django.core import mail
from django.test import TestCase

from carmsupport.middleware import RequestIdFilter, current_request_id, request_id_context
from cases.models import OutboundEmail
from cases.outbox import queue as outbox
from tests.cases.test_contact import EC_1012, FORM, contact_url, form_token

REQUEST_ID = "proxy-given-id-0123456789"


@pytest.fixture
def task_queue(settings):
    """Tasks wait for a worker, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def request_ids(caplog):
    """caplog's records, each with the request id its lines carry, as the console handler's are."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


def as_a_worker(function, *args):
    """Run `function` as the task worker does: in a context no request ever set."""
    return contextvars.Context().run(function, *args)


def test_a_filed_case_queues_its_acknowledgment_with_the_request_id(carm_tree, client, task_queue, request_ids):
    """The acknowledgment's row keeps the X-Request-ID of the request that filed the case; its sending,
    by the worker, logs lines carrying that id."""
    url = contact_url(EC_1012)
    data = {**FORM, "token": form_token(client, url)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data, headers={"X-Request-ID": REQUEST_ID})
    assert response.status_code == 302 and response["X-Request-ID"] == REQUEST_ID
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    assert email.request_id == REQUEST_ID and not mail.outbox
    request_ids.clear()

    assert as_a_worker(outbox.deliver, email.pk) == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    (sent,) = [record for record in request_ids.records if "sent, attempt 1" in record.getMessage()]
    assert sent.name == "cases.outbox.attempts" and sent.request_id == REQUEST_ID


def test_an_email_queued_outside_a_request_is_sent_without_an_id(make_case, task_queue, request_ids):
    """An email queued by a command (no request) has no id, and its sending logs none."""
    case = make_case()
    email = as_a_worker(outbox.queue_email, case, OutboundEmail.Kind.CONVERSATION_LINK)
    assert email.request_id == ""
    request_ids.clear()
    assert as_a_worker(outbox.deliver, email.pk) == OutboundEmail.Status.SENT
    assert {record.request_id for record in request_ids.records} == {"-"}


def test_the_request_id_is_set_only_within_its_context():
    """request_id_context sets the id for the lines logged within, and puts back the one before."""

    def within():
        assert current_request_id() == ""
        with request_id_context(REQUEST_ID):
            assert current_request_id() == REQUEST_ID
            with request_id_context(""):
                assert current_request_id() == ""
            assert current_request_id() == REQUEST_ID
        return current_request_id()

    assert contextvars.Context().run(within) == ""
