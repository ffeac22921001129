"""Step counts kept in one process's memory and added to the database's daily totals (StepCount).

Only daily totals are kept (triage.models.StepCount): no cookie, no address, nothing of one visitor's
path. A page counts in this process's memory (a Counter behind a lock, a few microseconds); the
counts go to the database in one statement every FLUSH_SECONDS, or sooner after FLUSH_EVENTS counts,
from the request that finds them due (which does not wait when another thread of the process is
writing already), and when the process exits. Each process (gunicorn worker) writes its own: the
statement adds to the rows (INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count, which
SQLite and PostgreSQL both run), so processes writing at the same time never overwrite each other.
When the database fails, the page is served all the same and the counts wait in memory for the next
try, up to MAX_KEYS rows (new rows beyond that are dropped, and the number dropped is logged). A
process killed outright (SIGKILL, a gunicorn timeout) loses the counts it had not written yet.
"""

import logging
import threading
import time
from collections import Counter
from datetime import date
from itertools import batched

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

from .models import StepCount, Tree

# Counts are written every FLUSH_SECONDS, or as soon as FLUSH_EVENTS have been counted.
FLUSH_SECONDS = 30
FLUSH_EVENTS = 1000
# Rows kept in memory at the most while the database cannot be written to.
MAX_KEYS = 50_000
# Rows per INSERT statement (each row takes 7 parameters).
ROWS_PER_STATEMENT = 100

logger = logging.getLogger(__name__)

# (tree id, node id, choice slug or "", day, kind, language)
type Key = tuple[int, int, str, date, str, str]


def write_counts(counts: dict, using: str = DEFAULT_DB_ALIAS) -> None:
    """Add the counts to the StepCount rows, in one transaction: one statement per ROWS_PER_STATEMENT rows.

    Rows go in the order of their keys, so that two processes writing the same rows at once take
    their locks in the same order (no deadlock on PostgreSQL). Counts of a tree deleted meanwhile
    are dropped with it.
    """
    rows = sorted(counts.items())
    tree_ids = {key[0] for key, _n in rows}
    kept = set(Tree.objects.using(using).filter(pk__in=tree_ids).values_list("pk", flat=True))
    rows = [(key, n) for key, n in rows if key[0] in kept and n > 0]
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(StepCount._meta.db_table)
    fields = ["tree", "node_id", "choice_slug", "day", "kind", "language", "count"]
    columns = [quote(StepCount._meta.get_field(name).column) for name in fields]
    count = columns[-1]
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for chunk in batched(rows, ROWS_PER_STATEMENT):
            parameters = []
            for (tree_id, node_id, slug, day, kind, language), n in chunk:
                day = connection.ops.adapt_datefield_value(day)
                parameters += [tree_id, node_id, slug, day, kind, language, n]
            cursor.execute(
                # Names from the model, values as parameters.
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([row] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT ({', '.join(columns[:-1])}) "
                f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
                parameters,
            )


class StepCounter:
    """Counts kept in one process's memory until flush() adds them to the database. Thread-safe."""

    def __init__(
        self, *, flush_seconds=FLUSH_SECONDS, flush_events=FLUSH_EVENTS, max_keys=MAX_KEYS, write=None, on_oldest=None
    ):
        """`on_oldest` is told the Unix time of the oldest count not written yet (0: none) when it changes."""
        self.flush_seconds, self.flush_events, self.max_keys = flush_seconds, flush_events, max_keys
        self.write = write or write_counts
        self.on_oldest = on_oldest
        self._since = 0.0  # when the oldest count in memory came
        self._writing_since = 0.0  # when the oldest count being written came
        self._lock = threading.Lock()  # guards what follows
        self._writing = threading.Lock()  # one flush at a time in this process
        self._counts: Counter = Counter()
        self._events = 0
        self._due_at = time.monotonic() + flush_seconds
        self._dropped = 0

    def add(self, key: Key, n: int = 1) -> bool:
        """Count `n` for the key; whether a flush is due."""
        with self._lock:
            if key in self._counts or len(self._counts) < self.max_keys:
                if not self._counts:
                    self._since = time.time()
                    self._tell_oldest()
                self._counts[key] += n
                self._events += n
            else:
                self._dropped += n
            return self._events >= self.flush_events or time.monotonic() >= self._due_at

    def flush(self, *, wait: bool = True) -> int:
        """Add the counts to the database; how many were written.

        Without `wait`, returns 0 at once when another thread is flushing. Never raises: when
        writing fails, the counts are kept for the next flush, which comes no sooner than the next
        FLUSH_SECONDS or FLUSH_EVENTS.
        """
        if not self._writing.acquire(blocking=wait):
            return 0
        try:
            with self._lock:
                taken, self._counts = self._counts, Counter()
                self._writing_since, self._since = self._since, 0.0
                self._events = 0
                self._due_at = time.monotonic() + self.flush_seconds
                dropped, self._dropped = self._dropped, 0
            if dropped:
                logger.error("%s step counts were dropped: the database could not be written to for too long.", dropped)
            if not taken:
                return 0
            try:
                self.write(taken)
            except DatabaseError as error:
                logger.warning("Step counts not saved (%s); kept for the next try.", type(error).__name__)
                self._put_back(taken)
                return 0
            except Exception:
                logger.exception("Step counts not saved; kept for the next try.")
                self._put_back(taken)
                return 0
            with self._lock:
                self._writing_since = 0.0
                self._tell_oldest()
            return sum(taken.values())
        finally:
            self._writing.release()

    def _put_back(self, taken):
        with self._lock:
            self._since = min((t for t in (self._since, self._writing_since) if t), default=0.0)
            self._writing_since = 0.0
            for key, n in taken.items():
                if key in self._counts or len(self._counts) < self.max_keys:
                    self._counts[key] += n
                else:
                    self._dropped += n

    def oldest(self) -> float:
        """The Unix time of the oldest count not written to the database yet; 0 when there is none."""
        with self._lock:
            return min((t for t in (self._since, self._writing_since) if t), default=0.0)

    def _tell_oldest(self):
        if self.on_oldest is not None:
            self.on_oldest(min((t for t in (self._since, self._writing_since) if t), default=0.0))

    def pending(self) -> dict:
        """The counts not written yet: {key: n}."""
        with self._lock:
            return dict(self._counts)

    def discard(self) -> None:
        """Forget the counts not written yet (tests), and start the time to the next flush again."""
        with self._lock:
            self._counts = Counter()
            self._events = self._dropped = 0
            self._due_at = time.monotonic() + self.flush_seconds
            self._since = 0.0
            self._tell_oldest()
