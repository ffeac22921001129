"""/metrics: who may read it, and the requests counted per view, never per path."""

import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "eyJjIjo0MiwiayI6IjdmM2EifQ:1vQ8xY:Zm9vYmFyLXNpZ25hdHVyZS1zZWNyZXQ"


def samples(response):
    """{(name, sorted labels): value} of a Prometheus answer."""
    text = response.content.decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", True), ("::1", True), ("10.0.0.7", False), ("192.0.2.1", False), ("", False)],
)
def test_metrics_answer_only_allowed_addresses(client, db, address, allowed):
    """The loopback addresses read the metrics by default; any other address gets a 404, as for no page."""
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        assert response["Content-Type"].startswith("text/plain; version=")
        assert "carmsupport_requests_total" in response.content.decode()


def test_a_network_may_be_allowed(client, db, settings):
    """METRICS_ALLOWED_ADDRESSES takes networks: an address in one may read, loopback no longer."""
    settings.METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/24"]
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.1.7").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_forwarded_address_is_not_believed(client, db, settings):
    """X-Forwarded-For naming loopback opens nothing, even behind a trusted proxy: the socket's address counts."""
    settings.TRUSTED_PROXIES = 1
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("configured", "given", "allowed"),
    [
        (TOKEN, f"Bearer {TOKEN}", True),
        (TOKEN, f"bearer {TOKEN}", True),
        (TOKEN, f"Bearer {TOKEN[:-1]}", False),
        (TOKEN, f"Basic {TOKEN}", False),
        (TOKEN, "", False),
        ("", "Bearer ", False),
        ("", "Bearer", False),
    ],
)
def test_the_bearer_of_the_token_may_read(client, db, settings, configured, given, allowed):
    """From another address, the right bearer token reads the metrics; a wrong one, or any when no token is set,
    gets a 404."""
    settings.METRICS_TOKEN = configured
    headers = {"HTTP_AUTHORIZATION": given} if given else {}
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", **headers)
    assert response.status_code == (200 if allowed else 404)


def test_requests_are_counted_per_view_never_per_path(client, db, carm_tree):
    """A conversation link's request is counted under its URL's name: no label holds its token, nor any path."""
    before = samples(client.get("/metrics"))
    client.get(f"/en/conversation/open/{TOKEN}/")
    client.get("/en/help/carm/")
    client.get("/en/no-such-page/")
    client.get("/static/css/site.css")
    client.get("/healthz")
    answer = client.get("/metrics")
    text = answer.content.decode()
    assert TOKEN not in text and TOKEN[:12] not in text
    after = samples(answer)

    def counted(view, status):
        key = ("carmsupport_requests_total", (("method", "GET"), ("status", status), ("view", view)))
        return after.get(key, 0) - before.get(key, 0)

    assert counted("healthz", "2xx") == 1
    assert counted("static", "2xx") == 1
    assert counted("unresolved", "4xx") == 1
    conversation = [  # counted by this test (other tests of the process count other conversation views)
        labels
        for (name, labels), value in after.items()
        if name == "carmsupport_requests_total" and "conversation" in str(labels)
        if value != before.get((name, labels))
    ]
    assert conversation and all("/" not in value for labels in conversation for _name, value in labels)
    assert {dict(labels)["view"] for labels in conversation} == {"cases:conversation_open"}
    durations = [
        value
        for (name, labels), value in after.items()
        if name == "carmsupport_request_duration_seconds_count" and dict(labels)["view"] == "healthz"
    ]
    assert durations and durations[0] >= 1


def test_each_request_is_logged_in_one_line(client, db, caplog):
    """One line per request on carmsupport.requests, with the view, method, status and duration as extras;
    a passing probe's only at DEBUG, as the load balancer sends one every second."""
    with caplog.at_level(logging.DEBUG, logger="carmsupport.requests"):
        client.get(f"/en/conversation/open/{TOKEN}/")
        client.get("/healthz")
    records = [record for record in caplog.records if record.name == "carmsupport.requests"]
    assert len(records) == 2
    conversation, healthz = records
    assert (conversation.levelno, healthz.levelno) == (logging.INFO, logging.DEBUG)
    assert (healthz.getMessage(), healthz.view, healthz.method, healthz.status) == ("request", "healthz", "GET", 200)
    assert isinstance(healthz.duration_ms, float) and healthz.duration_ms >= 0
    assert conversation.view == "cases:conversation_open"
    assert TOKEN not in str(vars(conversation))


def test_metrics_are_never_cached(client, db):
    assert "no-cache" in client.get("/metrics")["Cache-Control"]


def test_an_address_that_is_none_stops_the_start():
    """A METRICS_ALLOWED_ADDRESSES entry that is no address or network stops the start with a clear message."""
    from tests.carmsupport.test_settings import manage

    result = manage("check", METRICS_ALLOWED_ADDRESSES="10.0.0.0/8, 10.0.0.300")
    assert result.returncode != 0
    assert "METRICS_ALLOWED_ADDRESSES: '10.0.0.300' is no address or network." in result.stderr
