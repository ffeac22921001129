"""Does the tree help? What clients do in a help tree, counted as daily totals, and the figures staff read.

Counting. The public pages count, for the day in Toronto and in the page's language:

- a question shown (a GET of the question's step, first display or when a client comes back to it),
- a choice taken (Continue pressed with an answer ticked: the redirect to the next step),
- an outcome shown,
- the contact form opened from an outcome (a GET of the form with the help-tool path in its address).

Not counted: the staff preview, HEAD requests, a question shown again because Continue was pressed
with nothing ticked (the same visit: counting it would make clients who fixed the error look like
clients who left), and an outcome shown again after its feedback was sent (the same visit). Robots
are not told apart (no sniffing of the User-Agent): one that follows links counts visits, not choices,
which need the form. A reload, the browser's Back button and the language toggle show the page again,
and count again.

Only daily totals are kept (triage.models.StepCount): no cookie, no address, nothing of one visitor's
path. The page counts in this process's memory (a Counter behind a lock, a few microseconds); the
counts go to the database in one statement every FLUSH_SECONDS, or sooner after FLUSH_EVENTS counts,
from the request that finds them due (which does not wait when another thread of the process is
writing already), and when the process exits. Each process (gunicorn worker) writes its own: the
statement adds to the rows (INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count, which
SQLite and PostgreSQL both run), so processes writing at the same time never overwrite each other.
When the database fails, the page is served all the same and the counts wait in memory for the next
try, up to MAX_KEYS rows (new rows beyond that are dropped, and the number dropped is logged). A
process killed outright (SIGKILL, a gunicorn timeout) loses the counts it had not written yet.

Reading. tree_figures() gives, for a period of Toronto days: per outcome, its visits, its "Did you
find what you were looking for?" answers, the contact forms opened from it, the cases filed from it,
and the deflection rate; per question, its visits, how often each choice was taken, and the drop-off.
Texts come from the tree's current release in the active language. A constant number of queries,
whatever the size of the tree.
"""

import atexit
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from itertools import batched

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from carmsupport.bilingual import current_language
from helpdesk.calendar import HELPDESK_TZ, eastern_date

from .models import Node, OutcomeFeedback, StepCount, Tree
from .selectors import TreeGraph, release_graph

# What counts the cases filed from each outcome, registered by the app that files them (cases, in its
# AppConfig.ready): triage reads no case itself, as the layers run one way. Each is called with a
# tree's id and a period [since, until) and gives (outcome id, cases filed) pairs.
FILED_COUNTERS: list[Callable[[int, datetime, datetime], Iterable[tuple[int, int]]]] = []

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


# Writing.


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

    def __init__(self, *, flush_seconds=FLUSH_SECONDS, flush_events=FLUSH_EVENTS, max_keys=MAX_KEYS, write=None):
        self.flush_seconds, self.flush_events, self.max_keys = flush_seconds, flush_events, max_keys
        self.write = write or write_counts
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
            return sum(taken.values())
        finally:
            self._writing.release()

    def _put_back(self, taken):
        with self._lock:
            for key, n in taken.items():
                if key in self._counts or len(self._counts) < self.max_keys:
                    self._counts[key] += n
                else:
                    self._dropped += n

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


# This process's counter, and the database it counted for (see _flush_at_exit).
counter = StepCounter()
_counted_for: list = [None]


def _count(request, tree, kind, node_id, choice_slug=""):
    """Count one event of a public page; never raises, never counts the preview or a HEAD request."""
    if getattr(tree, "preview", False) or request.method != "GET":
        return
    try:
        day = eastern_date()
        _counted_for[0] = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
        if counter.add((tree.pk, node_id, choice_slug, day, kind, current_language())):
            counter.flush(wait=False)
    except Exception:
        logger.exception("Step not counted.")


def count_visit(request, tree, node_id: int) -> None:
    """A question or an outcome shown (`tree` a triage.selectors.ShownTree)."""
    _count(request, tree, StepCount.Kind.VISIT, node_id)


def count_choice(request, tree, node_id: int, choice_slug: str) -> None:
    """A choice taken at a question: Continue pressed with this answer."""
    _count(request, tree, StepCount.Kind.CHOICE, node_id, choice_slug)


def count_contact_start(request, tree, outcome_id: int) -> None:
    """The contact form opened from an outcome."""
    _count(request, tree, StepCount.Kind.CONTACT_START, outcome_id)


def flush(*, wait: bool = True) -> int:
    """Write this process's counts now; how many were written."""
    return counter.flush(wait=wait)


def pending() -> dict:
    return counter.pending()


def discard() -> None:
    counter.discard()


def _flush_at_exit():
    # Not into another database than the one counted for: the test runner, for one, points the
    # connection back at the development database once the test database is gone.
    try:
        if _counted_for[0] is not None and connections[DEFAULT_DB_ALIAS].settings_dict["NAME"] != _counted_for[0]:
            counter.discard()
            return
        counter.flush()
    except Exception:
        logger.exception("Step counts not saved at exit.")


atexit.register(_flush_at_exit)


# Reading.


def toronto_today() -> date:
    return eastern_date()


def default_period(days: int = 30, today: date | None = None) -> tuple[date, date]:
    """The last `days` days, today (in Toronto) included: (first day, last day)."""
    end = today or toronto_today()
    return end - timedelta(days=days - 1), end


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time_of_day.min, tzinfo=HELPDESK_TZ)


def percent(ratio: float | None) -> float | None:
    """A ratio as a percentage with one decimal (for files)."""
    return None if ratio is None else round(ratio * 100, 1)


@dataclass
class OutcomeFigures:
    node_id: int
    label: str
    removed: bool = False  # no longer in the release clients see
    reached_by: tuple[str, ...] = ()  # the labels of the shortest path of answers from the start
    visits: int = 0
    helpful_yes: int = 0
    helpful_no: int = 0
    contact_starts: int = 0
    cases: int = 0

    @property
    def deflection(self) -> float | None:
        """1 − cases filed ÷ visits: the share of its visits after which no case was filed; None without visits."""
        return None if not self.visits else 1 - self.cases / self.visits


@dataclass
class ChoiceFigures:
    slug: str
    label: str
    removed: bool = False
    taken: int = 0
    share: float | None = None  # of the question's visits


@dataclass
class QuestionFigures:
    node_id: int
    label: str
    removed: bool = False
    reached_by: tuple[str, ...] = ()
    visits: int = 0
    choices: list[ChoiceFigures] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(choice.taken for choice in self.choices)

    @property
    def drop_off(self) -> int:
        """Visits after which no choice was taken (never below 0)."""
        return max(0, self.visits - self.taken)

    @property
    def drop_off_rate(self) -> float | None:
        return None if not self.visits else self.drop_off / self.visits


@dataclass
class TreeFigures:
    start: date
    end: date
    outcomes: list[OutcomeFigures]
    questions: list[QuestionFigures]

    @property
    def outcome_visits(self) -> int:
        return sum(row.visits for row in self.outcomes)

    @property
    def cases(self) -> int:
        return sum(row.cases for row in self.outcomes)

    @property
    def deflection(self) -> float | None:
        visits = self.outcome_visits
        return None if not visits else 1 - self.cases / visits


def _paths(graph: TreeGraph) -> dict[int, tuple[str, ...]]:
    """Each node's shortest path of answers from the start, as the answers' labels (one walk of the graph)."""
    if graph.start_id not in graph.nodes:
        return {}
    paths = {graph.start_id: ()}
    queue = deque([graph.start_id])
    while queue:
        current = queue.popleft()
        for choice in graph.nodes[current].choices:
            if choice.target_id in graph.nodes and choice.target_id not in paths:
                paths[choice.target_id] = (*paths[current], choice.label)
                queue.append(choice.target_id)
    return paths


def _removed_label(label):
    return _("%(label)s (removed)") % {"label": label}


def tree_figures(tree: Tree, start: date, end: date) -> TreeFigures:
    """The figures of a tree from day `start` to day `end` (both included, Toronto days).

    Every outcome and question of the current release is listed, counted or not, then the nodes
    counted in the period that the release no longer has, marked "(removed)". Queries: the counts,
    the feedback, the cases, and the nodes no longer in the release when there are any (the
    release's graph comes from memory, or from two queries the first time).
    """
    graph = release_graph(tree.current_release_id) if tree.current_release_id else TreeGraph(nodes={})
    paths = _paths(graph)
    outcomes: dict[int, OutcomeFigures] = {}
    questions: dict[int, QuestionFigures] = {}
    for node in graph.nodes.values():
        if node.is_question:
            questions[node.id] = QuestionFigures(
                node.id,
                node.text,
                reached_by=paths.get(node.id, ()),
                choices=[ChoiceFigures(choice.slug, choice.label) for choice in node.choices],
            )
        else:
            outcomes[node.id] = OutcomeFigures(node.id, node.title, reached_by=paths.get(node.id, ()))

    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    counts = list(
        StepCount.objects.filter(tree_id=tree.pk, day__gte=start, day__lte=end)
        .values_list("node_id", "kind", "choice_slug")
        .annotate(total=Sum("count"))
        .order_by()
    )
    feedback = list(
        OutcomeFeedback.objects.filter(outcome__tree_id=tree.pk, created_at__gte=since, created_at__lt=until)
        .values_list("outcome_id")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
        .order_by()
    )
    cases = [pair for count in FILED_COUNTERS for pair in count(tree.pk, since, until)]

    # Nodes the release no longer has: a question if choices were counted, an outcome otherwise,
    # unless the node is still in the database, which says what it is.
    unknown = (
        {node_id for node_id, _kind, _slug, _total in counts}
        | {node_id for node_id, _yes, _no in feedback}
        | {node_id for node_id, _total in cases}
    ) - graph.nodes.keys()
    if unknown:
        chose = {node_id for node_id, kind, _slug, _total in counts if kind == StepCount.Kind.CHOICE}
        rows = {node.pk: node for node in Node.objects.filter(pk__in=unknown)}
        for node_id in sorted(unknown):
            node = rows.get(node_id)
            if node is not None:
                is_question = node.is_question
                label = _removed_label(node.name or (node.text if is_question else node.title))
            else:
                is_question = node_id in chose
                label = _("Node #%(id)s (removed)") % {"id": node_id}
            if is_question:
                questions[node_id] = QuestionFigures(node_id, label, removed=True)
            else:
                outcomes[node_id] = OutcomeFigures(node_id, label, removed=True)

    for node_id, kind, slug, total in counts:
        if kind == StepCount.Kind.VISIT:
            row = outcomes.get(node_id) or questions.get(node_id)
            row.visits += total
        elif kind == StepCount.Kind.CHOICE and node_id in questions:
            question = questions[node_id]
            choice = next((choice for choice in question.choices if choice.slug == slug), None)
            if choice is None:
                choice = ChoiceFigures(slug, _removed_label(slug), removed=True)
                question.choices.append(choice)
            choice.taken += total
        elif kind == StepCount.Kind.CONTACT_START and node_id in outcomes:
            outcomes[node_id].contact_starts += total
    for node_id, yes, no in feedback:
        if node_id in outcomes:
            outcomes[node_id].helpful_yes, outcomes[node_id].helpful_no = yes, no
    for node_id, total in cases:
        if node_id in outcomes:
            outcomes[node_id].cases = total
    for question in questions.values():
        for choice in question.choices:
            choice.share = choice.taken / question.visits if question.visits else None
    return TreeFigures(start, end, list(outcomes.values()), list(questions.values()))


def node_visits(tree_id: int, start: date, end: date) -> dict[int, int]:
    """{node id: visits} of a tree from day `start` to day `end` (one query)."""
    rows = (
        StepCount.objects.filter(tree_id=tree_id, kind=StepCount.Kind.VISIT, day__gte=start, day__lte=end)
        .values_list("node_id")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return dict(rows)


# Sorting the tables: each column's value; rows without one (a rate without visits) go last.

OUTCOME_COLUMNS = {
    "label": lambda row: row.label.casefold(),
    "visits": lambda row: row.visits,
    "helpful_yes": lambda row: row.helpful_yes,
    "helpful_no": lambda row: row.helpful_no,
    "contact_starts": lambda row: row.contact_starts,
    "cases": lambda row: row.cases,
    "deflection": lambda row: row.deflection,
}
QUESTION_COLUMNS = {
    "label": lambda row: row.label.casefold(),
    "visits": lambda row: row.visits,
    "taken": lambda row: row.taken,
    "drop_off": lambda row: row.drop_off,
    "drop_off_rate": lambda row: row.drop_off_rate,
}


def sorted_rows(rows, columns, column, descending):
    """The rows by the column's value, then by label; rows without a value last, whatever the direction."""
    value = columns[column]
    by_label = sorted(rows, key=lambda row: (row.label.casefold(), row.node_id))
    valued = [row for row in by_label if value(row) is not None]
    valued.sort(key=value, reverse=descending)  # stable: equal values stay by label
    return valued + [row for row in by_label if value(row) is None]
