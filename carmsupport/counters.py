"""Counters shared by every process, for the rate limits: in Redis, or in the database cache's table."""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router

# Expired counters are deleted at most this often, by each process.
PRUNE_EVERY_SECONDS = 60


class CounterCache(DatabaseCache):
    """The database cache (its table made by `manage.py createcachetable`), with counters each raised
    in one statement.

    `count` adds one to a counter and returns it, creating it at one, in a single upsert: exact when
    many processes count at once, and one write per count. A counter is stored as a number, not
    pickled, so it is read through `count` only; the cache's other methods serve other entries.
    """

    _pruned_at = -PRUNE_EVERY_SECONDS

    def count(self, key: str, expires_at: float) -> int:
        """Add one to the counter `key`, which lasts until `expires_at` (a Unix time); return its value."""
        key = self.make_and_validate_key(key)
        connection = connections[router.db_for_write(self.cache_model_class)]
        table = connection.ops.quote_name(self._table)
        expires = datetime.fromtimestamp(int(expires_at), tz=UTC if settings.USE_TZ else None)
        self._prune(connection, table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, '1', %s) "  # noqa: S608
                f"ON CONFLICT (cache_key) DO UPDATE SET value = CAST(CAST({table}.value AS INTEGER) + 1 AS TEXT) "
                "RETURNING value",
                [key, connection.ops.adapt_datetimefield_value(expires)],
            )
            return int(cursor.fetchone()[0])

    def _prune(self, connection, table):
        """Delete the expired counters, at most once every PRUNE_EVERY_SECONDS in this process."""
        if time.monotonic() - self._pruned_at < PRUNE_EVERY_SECONDS:
            return
        self._pruned_at = time.monotonic()
        now = datetime.now(tz=UTC if settings.USE_TZ else None).replace(microsecond=0)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE expires < %s",  # noqa: S608
                [connection.ops.adapt_datetimefield_value(now)],
            )


def count(cache, key: str, expires_at: float) -> int:
    """Add one to the counter `key` in `cache` (a CounterCache, or Redis), which lasts until `expires_at`
    (a Unix time); return its value."""
    if isinstance(cache, CounterCache):
        return cache.count(key, expires_at)
    timeout = max(int(expires_at - time.time()), 1)
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired since `add`
        cache.add(key, 1, timeout)
        return 1
