"""Rate limits per client behind reverse proxies, and counters that stay exact in a shared cache."""

import threading

import pytest
from django.test import RequestFactory
from django.urls import reverse

from carmsupport.ratelimits import client_address


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy: the header is the client's own words
        (1, "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged entry in front is ignored
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # proxy chain of two
        (2, "10.0.0.2", " 2001:db8::1 , 10.0.0.7", "2001:db8::1"),
        (1, "10.0.0.2", None, "10.0.0.2"),  # missing header
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),  # malformed
        (3, "10.0.0.2", "198.51.100.1, 10.0.0.7", "10.0.0.2"),  # shorter than the chain
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    assert client_address(request_from(remote, forwarded)) == expected


def test_clients_behind_one_proxy_are_limited_each_on_their_own(db, client, settings):
    """Behind the proxy every request comes from its address; each client still has its own limit."""
    settings.TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status": "2/h"}
    url = reverse("cases:status")
    data = {"reference": "CS-000-000-000", "email": "a@example.org"}
    for _ in range(2):
        assert client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # A forged address in front does not get the same client a new allowance.
    forged = client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.1")
    assert forged.status_code == 429
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="garbage").status_code == 200


def test_feedback_is_rate_limited(carm_tree, client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "feedback": "2/h"}
    url = reverse("triage:feedback", args=["carm", "importer/yes/yes/error-code/ec-1012/"])
    for _ in range(2):
        assert client.post(url, {"helpful": "yes"}).status_code == 302
    response = client.post(url, {"helpful": "yes"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def test_counters_are_exact_under_concurrent_requests(transactional_db, settings):
    """40 posts at once against a limit of 15: exactly 15 get through, whether the counters are in the
    database (each count one upsert) or in Redis (CACHE_URL)."""
    from django.core.cache import caches
    from django.db import connections
    from django.test import Client

    caches["shared"].clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status": "15/h"}
    statuses, start = [], threading.Barrier(40)

    def post():
        browser = Client()
        start.wait()
        try:
            answer = browser.post(reverse("cases:status"), {"reference": "x", "email": "a@example.org"})
            statuses.append(answer.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 15 and statuses.count(429) == 25
