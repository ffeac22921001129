"""A page that only reads rides out a short database outage: read again for DATABASE_RETRY_SECONDS at most,
then "please try again" with 503. A form sent is never run twice."""

import time

import pytest
from django.db import InterfaceError, OperationalError, transaction
from django.http import HttpResponse
from django.urls import path

from carmsupport.urls import urlpatterns as site_urls

calls = []


def flaky(request):
    """Fails on the database as many times as ?fail= says, then answers."""
    calls.append(request.method)
    if len(calls) <= int(request.GET.get("fail", request.POST.get("fail", "0"))):
        raise (InterfaceError if len(calls) % 2 else OperationalError)("server closed the connection")
    return HttpResponse("read")


urlpatterns = [path("flaky/", flaky), *site_urls]  # the 503 page links to the site's pages

# Outside the test's transaction, as a view is served (the 503 page reads the session).
pytestmark = [pytest.mark.urls(__name__), pytest.mark.usefixtures("seeded")]


class Clock:
    """The middleware's time: only its waits move it, however busy the machine running the tests."""

    def __init__(self):
        self.now, self.waits = 0.0, []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.waits.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(settings, monkeypatch):
    calls.clear()
    settings.DATABASE_RETRY_SECONDS = 1
    clock = Clock()
    monkeypatch.setattr("carmsupport.middleware.time", clock)
    return clock


def test_a_page_read_again_after_two_failures_answers(client, clock, caplog):
    """Two failures, then the database is back: the reader gets the page, after waits of 0.1 and 0.2 s."""
    response = client.get("/flaky/?fail=2")
    assert response.status_code == 200 and response.content == b"read"
    assert calls == ["GET", "GET", "GET"] and clock.waits == [0.1, 0.2]
    assert [record.levelname for record in caplog.records if "Database unavailable" in record.message] == [
        "WARNING",
        "WARNING",
    ]


def test_a_page_that_keeps_failing_answers_503_within_the_retry_time(client, clock, caplog):
    """The database stays down: "please try again" with 503, once DATABASE_RETRY_SECONDS are spent."""
    response = client.get("/flaky/?fail=100")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "Please try again in a minute" in response.content.decode()
    assert clock.waits == [0.1, 0.2, 0.4]  # a fourth wait, of 0.8 s, would pass the second allowed
    assert len(calls) == 4
    assert "Database unavailable: OperationalError" in [r.message for r in caplog.records if r.levelname == "ERROR"]


def test_the_waits_are_real(client, settings, monkeypatch):
    """With the real clock, the page that keeps failing answers 503 after its waits, and not much later."""
    monkeypatch.setattr("carmsupport.middleware.time", time)
    settings.DATABASE_RETRY_SECONDS = 0.5
    started = time.monotonic()
    assert client.get("/flaky/?fail=100").status_code == 503
    assert 0.1 <= time.monotonic() - started < 0.5 + 2  # at least the first wait; the rest, a busy machine's time


def test_head_is_read_again_too(client, clock):
    assert client.head("/flaky/?fail=1").status_code == 200 and calls == ["HEAD", "HEAD"] and clock.waits == [0.1]


def test_no_retry_time_answers_503_at_once(client, settings):
    settings.DATABASE_RETRY_SECONDS = 0
    assert client.get("/flaky/?fail=1").status_code == 503 and calls == ["GET"]


def test_a_form_sent_is_never_run_twice(client, clock):
    """A POST that fails on the database answers 503 at once: what it wrote may have been half done."""
    response = client.post("/flaky/", {"fail": "1"})
    assert response.status_code == 503 and calls == ["POST"] and clock.waits == []


def test_no_page_is_read_again_inside_a_transaction(client):
    """In a transaction still open (as ATOMIC_REQUESTS, or a caller's, would make one), the failure is answered
    at once: what the transaction saw is gone."""
    with transaction.atomic():
        response = client.get("/flaky/?fail=1")
    assert response.status_code == 503 and calls == ["GET"]


def test_requests_are_not_atomic(settings):
    """Views run outside a transaction, so a page can be read again."""
    assert not any(database.get("ATOMIC_REQUESTS") for database in settings.DATABASES.values())
