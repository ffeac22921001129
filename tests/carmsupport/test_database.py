"""SQLite is set up for several writers at once: WAL, a busy timeout, immediate transactions."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_sqlite_concurrency_settings():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings; this run uses " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
