"""The rate limits' counters in the database: one statement a count, and expired counters deleted."""

import time

from django.core.cache import caches
from django.db import connection

from carmsupport.counters import CounterCache, count
from carmsupport.ratelimits import rate_of


def test_each_count_is_one_statement(db, django_assert_num_queries):
    """A counter starts at one and rises by one a count, each in one statement; counters are apart."""
    cache = caches["shared"]
    assert isinstance(cache, CounterCache)
    ends = time.time() + 3600
    count(cache, "first", ends)  # the process's first count may delete expired counters too
    with django_assert_num_queries(3):
        assert [count(cache, "first", ends), count(cache, "first", ends), count(cache, "second", ends)] == [2, 3, 1]


def test_expired_counters_are_deleted(db, monkeypatch):
    cache = caches["shared"]
    count(cache, "old", time.time() - 10)
    count(cache, "current", time.time() + 3600)
    monkeypatch.setattr(cache, "_pruned_at", -3600.0)
    count(cache, "current", time.time() + 3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM carmsupport_cache")
        assert [key for (key,) in cursor.fetchall()] == [cache.make_key("current")]


def test_rates():
    assert [rate_of(rate) for rate in ("10/h", "10/5m", "3/D", "2/")] == [(10, 3600), (10, 300), (3, 86400), (2, 1)]
