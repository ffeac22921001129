"""Liveness and readiness: /healthz touches nothing, /readyz names each dependency ok or down."""

import logging
import threading

import pytest
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections

from carmsupport import health


@pytest.fixture(autouse=True)
def shared_cache_apart(settings):
    """On SQLite, the shared cache in memory instead of its table: the checks run in threads of their own,
    which the test's transaction would keep waiting on SQLite's lock. Redis (CACHE_URL) is used as it is."""
    if connections["default"].vendor == "sqlite" and settings.CACHES["shared"]["BACKEND"].endswith(
        ("DatabaseCache", "CounterCache")
    ):
        settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def test_healthz_touches_no_database(client, db, django_assert_num_queries):
    """/healthz answers 200 without a single query, never cached."""
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_every_dependency_answers(client, db, private_attachments):
    """/readyz answers 200, naming each check ok, when the database, the cache and the storage answer."""
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.content.decode().splitlines() == ["database ok", "cache ok", "storage ok"]
    assert "no-cache" in response["Cache-Control"]
    assert (private_attachments / health.STORAGE_PROBE).exists()


class Refused(Exception):
    """A dependency's failure, whose text holds a secret."""


def refuse(*args, **kwargs):
    raise Refused("password=hunter2 at db.internal")


def failing_target(failing):
    """Where the database (a new connection: the check opens its own) and the cache are made to fail."""
    return {
        "database": f"{type(connections['default']).__module__}.DatabaseWrapper.get_new_connection",
        "cache": f"{type(caches['shared']).__module__}.{type(caches['shared']).__name__}.set",
    }[failing]


@pytest.mark.parametrize("failing", ["database", "cache", "storage"])
def test_not_ready_while_one_dependency_fails(client, db, monkeypatch, caplog, failing):
    """A failing database or storage makes /readyz answer 503, naming it down and the others ok; a failing
    cache is named down, and the instance stays ready (the rate limits fail open without it). The warning
    names the check and holds none of the error's text."""
    if failing == "storage":
        monkeypatch.setattr(storages["attachments"], "exists", refuse)
    else:
        monkeypatch.setattr(failing_target(failing), refuse)
    with caplog.at_level(logging.WARNING, logger="carmsupport.health"):
        response = client.get("/readyz")
    assert response.status_code == (200 if failing == "cache" else 503)
    lines = response.content.decode().splitlines()
    assert lines == [f"{name} {'down' if name == failing else 'ok'}" for name in ("database", "cache", "storage")]
    assert b"hunter2" not in response.content
    warnings = [r.getMessage() for r in caplog.records if r.name == "carmsupport.health"]
    assert warnings == [f"Readiness check failed: {failing}"]


def test_a_hanging_dependency_is_down_within_the_time_out(client, db, settings, monkeypatch):
    """A storage that never answers is reported down once READINESS_TIMEOUT has passed, not later."""
    settings.READINESS_TIMEOUT = 0.3
    released = threading.Event()
    monkeypatch.setattr(storages["attachments"], "exists", lambda name: released.wait(10))
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "storage down" in response.content.decode()
    finally:
        released.set()


def test_not_ready_while_draining(client, db, tmp_path, monkeypatch, django_assert_num_queries):
    """While gunicorn drains the instance (its mark exists), /readyz answers 503 at once, and /healthz 200."""
    mark = tmp_path / "draining"
    monkeypatch.setenv(health.DRAINING_FILE_VARIABLE, str(mark))
    assert client.get("/readyz").status_code == 200
    mark.touch()
    with django_assert_num_queries(0):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"draining\n"
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_have_no_language(client, db, path):
    """The checks answer at the root, with no redirect to a language."""
    assert client.get(path).status_code == 200
    assert client.get(f"/en{path}").status_code == 404
