"""With Redis, the rate limits' store, stopped, no client loses a request: the limits fail open,
with one warning a minute, and hold again once Redis is back."""

import logging
import shutil
import socket
import subprocess
import time

import pytest

from cases.models import Case
from tests.cases.test_contact import EC_1012, FORM, contact_url, form_token


class RedisServer:
    """A throw-away redis-server on 127.0.0.1, which a test stops and starts again."""

    def __init__(self, directory):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(
            [*command, "--appendonly", "no", "--dir", str(self.directory)], stdout=subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path, settings):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
        },
    }
    yield server
    if server.process.poll() is None:
        server.stop()


def send_form(client):
    url = contact_url(EC_1012)
    return client.post(url, {**FORM, "token": form_token(client, url)})


def test_contact_form_with_redis_stopped(carm_tree, client, redis_server, settings, caplog, monkeypatch):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "contact": "2/h"}
    assert [send_form(client).status_code for _ in range(3)] == [302, 302, 429]  # the limit, in Redis

    redis_server.stop()
    caplog.set_level(logging.WARNING, logger="carmsupport.ratelimits")
    monkeypatch.setattr("carmsupport.ratelimits._last_warning", [-float("inf")])
    filed = Case.objects.count()
    assert [send_form(client).status_code for _ in range(4)] == [302] * 4  # no 500, nothing lost
    assert Case.objects.count() == filed + 4
    warnings = [record.getMessage() for record in caplog.records if record.name == "carmsupport.ratelimits"]
    assert warnings == ["Rate limits not applied, their counters are unavailable: ConnectionError"]

    redis_server.start()
    assert [send_form(client).status_code for _ in range(3)] == [302, 302, 429]  # held again
