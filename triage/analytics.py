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

Only daily totals are kept (triage.models.StepCount), by triage.step_counter: no cookie, no
address, nothing of one visitor's path. A page counts in this process's memory; the counts go to
the database every few seconds, from the request that finds them due, and when the process exits.

Reading. tree_figures() gives, for a period of Toronto days: per outcome, its visits, its "Did you
find what you were looking for?" answers, the contact forms opened from it, the cases filed from it,
and the deflection rate; per question, its visits, how often each choice was taken, and the drop-off.
Texts come from the tree's current release in the active language. A constant number of queries,
whatever the size of the tree.
"""

import atexit
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from datetime import time as time_of_day

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from carmsupport.bilingual import current_language
from helpdesk.calendar import HELPDESK_TZ, eastern_date

from .figures import ChoiceFigures, OutcomeFigures, QuestionFigures, TreeFigures
from .metrics import OLDEST_UNWRITTEN
from .models import Node, OutcomeFeedback, StepCount, Tree
from .selectors import tree_graph
from .step_counter import StepCounter

# What counts the cases filed from each outcome, registered by the app that files them (cases, in its
# AppConfig.ready): triage reads no case itself, as the layers run one way. Each is called with a
# tree's id and a period [since, until) and gives (outcome id, cases filed) pairs.
FILED_COUNTERS: list[Callable[[int, datetime, datetime], Iterable[tuple[int, int]]]] = []

logger = logging.getLogger(__name__)

# This process's counter, and the database it counted for (see _flush_at_exit).
counter = StepCounter(on_oldest=OLDEST_UNWRITTEN.set)
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


def default_period(days: int = 30, today: date | None = None) -> tuple[date, date]:
    """The last `days` days, today (in Toronto) included: (first day, last day)."""
    end = today or eastern_date()
    return end - timedelta(days=days - 1), end


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time_of_day.min, tzinfo=HELPDESK_TZ)


def percent(ratio: float | None) -> float | None:
    """A ratio as a percentage with one decimal (for files)."""
    return None if ratio is None else round(ratio * 100, 1)


def _removed_label(label):
    return _("%(label)s (removed)") % {"label": label}


def tree_figures(tree: Tree, start: date, end: date) -> TreeFigures:
    """The figures of a tree from day `start` to day `end` (both included, Toronto days).

    Every outcome and question of the current release is listed, counted or not, then the nodes
    counted in the period that the release no longer has, marked "(removed)". Queries: the counts,
    the feedback, the cases, and the nodes no longer in the release when there are any (the
    release's graph comes from memory, or from two queries the first time).
    """
    graph = tree_graph(tree)
    paths = dict(graph.shortest_paths(graph.start_id, by="label"))
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
