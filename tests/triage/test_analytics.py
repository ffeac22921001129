"""Does the tree help? Steps counted as daily totals without slowing the pages, and the staff page that reads them."""

import csv
import io
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpdesk.calendar import eastern_date
from tests.conftest import build_chain_tree, build_tree, make_staff, sign_in_staff
from triage import analytics, figures, step_counter
from triage.models import Node, OutcomeFeedback, StepCount
from triage.step_counter import StepCounter

SMALL = "/help/small/questions/"
VISIT, CHOICE, CONTACT = StepCount.Kind.VISIT, StepCount.Kind.CHOICE, StepCount.Kind.CONTACT_START


@pytest.fixture(autouse=True)
def no_counts_left():
    """Each test starts and ends with no count waiting in this process's memory."""
    analytics.discard()
    yield
    analytics.discard()


def node(tree, text):
    """The node of the tree whose question text or outcome title is `text`."""
    return Node.objects.get(tree=tree, **({"text_en": text} if text.endswith("?") else {"title_en": text}))


def rows(tree):
    """{(node id, kind, choice slug, language): count} of the tree's StepCount rows, all days."""
    found = {}
    for row in StepCount.objects.filter(tree=tree):
        key = (row.node_id, row.kind, row.choice_slug, row.language)
        found[key] = found.get(key, 0) + row.count
    return found


def staff(username, group):
    return make_staff(username, group)


def analytics_url(tree, **query):
    url = reverse("admin:triage_tree_analytics", args=[tree.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def count(tree, node_id, kind=VISIT, n=1, day=None, language="en", slug=""):
    StepCount.objects.create(
        tree=tree,
        node_id=node_id,
        kind=kind,
        count=n,
        day=day or eastern_date(),
        language=language,
        choice_slug=slug,
    )


# Counting.


def walk(client, language):
    """Who are you? Importer → Are you a non-resident business? (Continue with nothing first) Yes →
    the outcome, its feedback, and the contact form."""
    base = f"/{language}{SMALL}" if language == "en" else "/fr/aide/small/questions/"
    assert client.get(base).status_code == 200
    assert client.get(base, {"answer": "importer"}).url == f"{base}importer/"
    assert client.get(f"{base}importer/").status_code == 200
    assert client.get(f"{base}importer/", {"continue": "1"}).status_code == 200  # no answer: not counted again
    assert client.get(f"{base}importer/", {"answer": "yes"}).url == f"{base}importer/yes/"
    assert client.get(f"{base}importer/yes/").status_code == 200
    assert client.get(f"{base}importer/yes/", {"helpful": "yes"}).status_code == 200  # after feedback: the same visit
    contact = {"en": "/en/contact/", "fr": "/fr/nous-joindre/"}[language]
    assert client.get(contact, {"tree": "small", "answers": "importer/yes/"}).status_code == 200


def test_a_walk_is_counted_in_the_language_of_its_pages(small_tree, client):
    """Each question shown, each choice taken, the outcome shown and the contact form opened: counted in
    memory, written by flush(), per language, for today in Toronto."""
    who, resident = node(small_tree, "Who are you?"), node(small_tree, "Are you a non-resident business?")
    help_page = node(small_tree, "Non-resident help")
    walk(client, "en")
    walk(client, "fr")
    walk(client, "fr")
    assert not StepCount.objects.exists()
    assert analytics.flush() == 3 * 6
    expected = {}
    for language, times in (("en", 1), ("fr", 2)):
        expected |= {
            (who.pk, VISIT, "", language): times,
            (who.pk, CHOICE, "importer", language): times,
            (resident.pk, VISIT, "", language): times,
            (resident.pk, CHOICE, "yes", language): times,
            (help_page.pk, VISIT, "", language): times,
            (help_page.pk, CONTACT, "", language): times,
        }
    assert rows(small_tree) == expected
    assert set(StepCount.objects.values_list("day", flat=True)) == {eastern_date()}
    assert analytics.pending() == {} and analytics.flush() == 0


def test_flushing_again_adds_to_the_rows(small_tree, client):
    who = node(small_tree, "Who are you?")
    client.get(f"/en{SMALL}")
    analytics.flush()
    client.get(f"/en{SMALL}")
    client.get(f"/en{SMALL}")
    analytics.flush()
    assert rows(small_tree) == {(who.pk, VISIT, "", "en"): 3}
    assert StepCount.objects.count() == 1


def test_what_is_not_counted(small_tree, client, admin_client):
    """The staff preview, HEAD requests, a path that leads nowhere, a form sent again, and the contact form
    opened without a help-tool path."""
    preview = "/en/help/small/preview/questions/"
    assert admin_client.get(preview).status_code == 200
    assert admin_client.get(preview, {"answer": "importer"}).url == f"{preview}importer/"
    assert admin_client.get(f"{preview}other/").status_code == 200
    assert client.head(f"/en{SMALL}").status_code == 200
    assert client.head(f"/en{SMALL}other/").status_code == 200
    assert client.get(f"/en{SMALL}astronaut/").status_code == 404
    client.get("/en/contact/")
    client.post("/en/contact/?tree=small&answers=other/", {"language_switch": "fr"})
    assert analytics.pending() == {}


def test_the_day_is_torontos(small_tree, client, monkeypatch):
    """At 03:30 UTC it is still the day before in Toronto."""
    late = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: late)
    client.get(f"/en{SMALL}")
    analytics.flush()
    assert StepCount.objects.get().day.isoformat() == "2026-02-28"


def test_pages_flush_when_counts_are_due(small_tree, client, monkeypatch):
    """After FLUSH_EVENTS counts (or FLUSH_SECONDS) the page that counts writes them, all of them."""
    monkeypatch.setattr(analytics.counter, "flush_events", 3)
    for _ in range(2):
        client.get(f"/en{SMALL}")
    assert not StepCount.objects.exists()
    client.get(f"/en{SMALL}other/")
    assert sum(rows(small_tree).values()) == 3 and analytics.pending() == {}


def test_a_failing_database_never_breaks_a_page_and_keeps_the_counts(small_tree, client, monkeypatch):
    """The write fails inside its own savepoint: the page is served, the request's transaction goes on,
    and the counts are written by the next flush that works."""
    who = node(small_tree, "Who are you?")
    monkeypatch.setattr(analytics.counter, "flush_events", 1)
    monkeypatch.setattr(StepCount._meta, "db_table", "triage_no_such_table")  # a real database error
    for _ in range(3):
        assert client.get(f"/en{SMALL}").status_code == 200
    assert analytics.pending() == {(small_tree.pk, who.pk, "", eastern_date(), VISIT, "en"): 3}
    assert OutcomeFeedback.objects.count() == 0  # the test's transaction still works
    monkeypatch.undo()
    assert analytics.flush() == 3
    assert rows(small_tree) == {(who.pk, VISIT, "", "en"): 3}


def test_counts_kept_after_a_failure_are_bounded():
    """While the database fails, at most max_keys rows wait in memory; the rest are dropped, and said so."""
    attempts = []

    def failing(counts):
        attempts.append(dict(counts))
        raise OperationalError("database is locked")

    counter = StepCounter(max_keys=2, write=failing)
    day = eastern_date()
    counter.add((1, 1, "", day, VISIT, "en"), 5)
    counter.add((1, 2, "", day, VISIT, "en"))
    counter.add((1, 3, "", day, VISIT, "en"))  # a third row: dropped
    assert counter.flush() == 0
    assert counter.pending() == {(1, 1, "", day, VISIT, "en"): 5, (1, 2, "", day, VISIT, "en"): 1}
    counter.add((1, 1, "", day, VISIT, "en"))  # an existing row still counts
    assert counter.pending()[(1, 1, "", day, VISIT, "en")] == 6
    assert counter.flush() == 0 and len(attempts) == 2


def test_a_failed_flush_is_not_tried_again_at_once():
    """After a failure, the next try waits for the next FLUSH_EVENTS counts or FLUSH_SECONDS."""

    def failing(counts):
        raise OperationalError("database is locked")

    counter = StepCounter(flush_events=10, write=failing)
    day = eastern_date()
    due = [counter.add((1, 1, "", day, VISIT, "en")) for _ in range(10)]
    assert due == [False] * 9 + [True]
    counter.flush()
    assert counter.add((1, 1, "", day, VISIT, "en")) is False


def test_counts_of_a_tree_deleted_meanwhile_are_dropped(small_tree, client):
    """Counts of a tree gone before they were written are dropped, and the others written."""
    client.get(f"/en{SMALL}")
    analytics.counter.add((small_tree.pk + 1000, 1, "", eastern_date(), VISIT, "en"))
    assert analytics.flush() == 2
    assert list(StepCount.objects.values_list("tree_id", "count")) == [(small_tree.pk, 1)]


def test_counts_from_many_threads_are_exact():
    """Threads of one process counting at once lose nothing."""
    counter = StepCounter(flush_events=10**9)
    day = eastern_date()
    keys = [(1, node_id, "", day, VISIT, "en") for node_id in range(4)]
    start = threading.Barrier(8)

    def add():
        start.wait()
        for i in range(5000):
            counter.add(keys[i % 4])

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.pending() == dict.fromkeys(keys, 10000)


@pytest.mark.django_db(transaction=True)
def test_counting_and_flushing_at_once_from_threads_is_exact():
    """Threads count and flush as pages do (each flush when due, not waiting for another), against the
    real database: the rows add up to every count."""
    tree = build_tree("threads", {"Threads?": {"Yes": "Thread help"}})
    counter = StepCounter(flush_events=50)
    day = eastern_date()
    keys = [(tree.pk, node_id, "", day, VISIT, language) for node_id in (1, 2) for language in ("en", "fr")]
    start = threading.Barrier(6)

    def page_views():
        try:
            start.wait()
            for i in range(400):
                if counter.add(keys[i % len(keys)]):
                    counter.flush(wait=False)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=page_views) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counter.flush()
    totals = {(row.node_id, row.language): row.count for row in StepCount.objects.filter(tree=tree)}
    assert totals == {(1, "en"): 600, (1, "fr"): 600, (2, "en"): 600, (2, "fr"): 600}


@pytest.mark.django_db(transaction=True)
def test_processes_flushing_the_same_rows_at_once_add_up():
    """Two workers (two counters) write the same rows at the same moment, over and over: each adds its own."""
    tree = build_tree("racing", {"Racing?": {"Yes": "Racing help"}})
    day = eastern_date()
    keys = [(tree.pk, node_id, "", day, VISIT, "en") for node_id in range(1, 30)]
    workers = [StepCounter(flush_events=10**9) for _ in range(2)]
    rounds = 5

    def worker(counter, start):
        try:
            for _ in range(rounds):
                for key in keys:
                    counter.add(key, 2)
                start.wait()
                assert counter.flush() == 2 * len(keys)
        finally:
            connections.close_all()

    start = threading.Barrier(2)
    threads = [threading.Thread(target=worker, args=(counter, start)) for counter in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(StepCount.objects.filter(tree=tree).values_list("node_id", "count")) == [
        (node_id, 2 * 2 * rounds) for node_id in range(1, 30)
    ]


def test_a_large_flush_takes_several_statements(small_tree):
    """More rows than one statement takes: all written, in one transaction."""
    counter = StepCounter()
    day = eastern_date()
    for node_id in range(step_counter.ROWS_PER_STATEMENT * 2 + 7):
        counter.add((small_tree.pk, node_id, "", day, VISIT, "en"), node_id + 1)
    counter.flush()
    assert StepCount.objects.count() == step_counter.ROWS_PER_STATEMENT * 2 + 7
    assert StepCount.objects.get(node_id=10).count == 11


# The figures.


@pytest.fixture
def counted(small_tree, make_case):
    """Counts, feedback and cases of the small tree, in the period (the last 30 days) and out of it."""
    today = eastern_date()
    who, resident = node(small_tree, "Who are you?"), node(small_tree, "Are you a non-resident business?")
    non_resident, resident_help = node(small_tree, "Non-resident help"), node(small_tree, "Resident help")
    general = node(small_tree, "General help")
    count(small_tree, who.pk, n=100)
    count(small_tree, who.pk, n=20, language="fr", day=today - timedelta(days=29))
    count(small_tree, who.pk, n=500, day=today - timedelta(days=30))  # out of the period
    count(small_tree, who.pk, CHOICE, 70, slug="importer")
    count(small_tree, who.pk, CHOICE, 30, slug="other", language="fr")
    count(small_tree, who.pk, CHOICE, 5, slug="astronaut")  # a choice since removed
    count(small_tree, resident.pk, n=60)
    count(small_tree, resident.pk, CHOICE, 45, slug="yes")
    count(small_tree, resident.pk, CHOICE, 15, slug="no")
    count(small_tree, non_resident.pk, n=40)
    count(small_tree, non_resident.pk, CONTACT, 6)
    count(small_tree, general.pk, n=25)
    count(small_tree, 987654, n=8)  # a node since deleted
    for helpful in (True, True, True, False):
        OutcomeFeedback.objects.create(outcome=non_resident, helpful=helpful)
    old = OutcomeFeedback.objects.create(outcome=non_resident, helpful=False)
    OutcomeFeedback.objects.filter(pk=old.pk).update(created_at=datetime.now(UTC) - timedelta(days=40))
    for _ in range(4):
        make_case(outcome_id=non_resident.pk)
    make_case(outcome_id=non_resident.pk, received_at=datetime.now(UTC) - timedelta(days=45))
    make_case(outcome_id=general.pk)
    make_case()  # not from the help tool
    return {
        "who": who,
        "resident": resident,
        "non_resident": non_resident,
        "resident_help": resident_help,
        "general": general,
    }


def test_figures_per_outcome(small_tree, counted):
    start, end = analytics.default_period()
    figures = analytics.tree_figures(small_tree, start, end)
    outcomes = {row.node_id: row for row in figures.outcomes}
    non_resident = outcomes[counted["non_resident"].pk]
    assert (non_resident.label, non_resident.reached_by) == ("Non-resident help", ("Importer", "Yes"))
    assert (non_resident.visits, non_resident.helpful_yes, non_resident.helpful_no) == (40, 3, 1)
    assert (non_resident.contact_starts, non_resident.cases) == (6, 4)
    assert non_resident.deflection == pytest.approx(0.9)
    general = outcomes[counted["general"].pk]
    assert (general.visits, general.cases, general.deflection) == (25, 1, pytest.approx(0.96))
    never = outcomes[counted["resident_help"].pk]
    assert (never.visits, never.cases, never.deflection) == (0, 0, None)
    removed = outcomes[987654]
    assert (removed.label, removed.removed, removed.visits) == ("Node #987654 (removed)", True, 8)
    assert figures.outcome_visits == 73 and figures.cases == 5
    assert figures.deflection == pytest.approx(1 - 5 / 73)


def test_figures_per_question(small_tree, counted):
    figures = analytics.tree_figures(small_tree, *analytics.default_period())
    questions = {row.node_id: row for row in figures.questions}
    who = questions[counted["who"].pk]
    assert who.visits == 120 and who.reached_by == ()
    choices = {choice.slug: choice for choice in who.choices}
    assert [(c.label, c.taken) for c in who.choices] == [
        ("Importer", 70),
        ("Other", 30),
        ("astronaut (removed)", 5),
    ]
    assert choices["importer"].share == pytest.approx(70 / 120) and choices["astronaut"].removed
    assert (who.taken, who.drop_off) == (105, 15) and who.drop_off_rate == pytest.approx(15 / 120)
    resident = questions[counted["resident"].pk]
    assert (resident.visits, resident.taken, resident.drop_off, resident.drop_off_rate) == (60, 60, 0, 0)


def test_a_period_of_one_day(small_tree, counted):
    """The period's days are Toronto days, both ends included."""
    first = eastern_date() - timedelta(days=30)
    figures = analytics.tree_figures(small_tree, first, first)
    assert {row.node_id: row.visits for row in figures.questions}[counted["who"].pk] == 500
    assert sum(row.cases for row in figures.outcomes) == 0


def test_labels_follow_the_current_release_and_language(small_tree, counted):
    """Texts are the current release's, in the staff member's language; a node no longer in it is "(removed)"."""
    from django.utils import translation

    from triage.releases import tree_publish

    general = counted["general"]
    general.title_en = "General guidance"
    general.save()
    tree_publish(small_tree, note="Renamed")
    small_tree.refresh_from_db()
    # In the draft only, as a node deleted from the tree since would be.
    orphan = Node.objects.create(tree=small_tree, kind="outcome", title_en="Orphan", guidance_en="x", name="Old one")
    count(small_tree, orphan.pk, n=3)
    with translation.override("fr"):
        figures = analytics.tree_figures(small_tree, *analytics.default_period())
    labels = {row.node_id: row.label for row in figures.outcomes}
    assert labels[general.pk] == "FR General help"  # the French was not changed
    assert labels[orphan.pk] == "Old one (supprimé)"  # marked in the page's language
    figures = analytics.tree_figures(small_tree, *analytics.default_period())
    assert {row.node_id: row.label for row in figures.outcomes}[general.pk] == "General guidance"


def test_rows_sort_by_any_column_with_empty_values_last():
    rows = [
        figures.OutcomeFigures(1, "b", visits=10, cases=5),
        figures.OutcomeFigures(2, "a", visits=10, cases=1),
        figures.OutcomeFigures(3, "c", visits=0),
    ]
    columns = analytics.OUTCOME_COLUMNS
    assert [row.node_id for row in analytics.sorted_rows(rows, columns, "visits", True)] == [2, 1, 3]
    assert [row.node_id for row in analytics.sorted_rows(rows, columns, "deflection", True)] == [2, 1, 3]
    assert [row.node_id for row in analytics.sorted_rows(rows, columns, "deflection", False)] == [1, 2, 3]
    assert [row.node_id for row in analytics.sorted_rows(rows, columns, "label", False)] == [2, 1, 3]


# The staff page.


def test_the_page_shows_the_figures(small_tree, counted, admin_client):
    page = admin_client.get(analytics_url(small_tree)).content.decode()
    assert "Does “Test tree” help?" in page
    assert "All outcomes together: 73 visits, 5 cases filed from them, deflection rate 93.2%." in page
    assert "Deflection rate: 1 − cases filed ÷ visits" in page
    assert "Importer: 70 (58.3%)" in page and "astronaut (removed): 5 (4.2%)" in page
    assert "Node #987654 (removed)" in page
    assert '<rect width="100" height="10"' in page  # the most visited question's bar is the longest
    assert 'style="' not in page.split('id="content-main"')[1]  # the CSP refuses inline styles
    change = reverse("admin:triage_node_change", args=[counted["non_resident"].pk])
    assert f'<a href="{change}">Non-resident help</a><br><span class="quiet">Importer › Yes</span>' in page


def test_the_tree_page_links_to_the_figures(small_tree, admin_client):
    page = admin_client.get(reverse("admin:triage_tree_change", args=[small_tree.pk])).content.decode()
    assert f'href="{analytics_url(small_tree)}">Analytics</a>' in page


def row_labels(page, table):
    """The labels of a table's rows ("outcomes" or "questions"), in the page's order."""
    body = page.split(f'<h3 id="{table}">')[1].split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row">(?:<a href="[^"]*">)?([^<]+)', body)


def test_tables_sort_by_the_column_chosen(small_tree, counted, admin_client):
    """Most visits first by default; each heading links to sorting by it, the other way round when it
    sorts the table already; aria-sort says how the table is sorted; the period and the other table's
    order are kept."""
    page = admin_client.get(analytics_url(small_tree)).content.decode()
    assert row_labels(page, "outcomes") == [
        "Non-resident help",
        "General help",
        "Node #987654 (removed)",
        "Resident help",
    ]
    assert row_labels(page, "questions") == ["Who are you?", "Are you a non-resident business?"]
    assert page.count("aria-sort=") == 2
    assert (
        '<th scope="col" aria-sort="descending"><a href="?outcomes_sort=visits&amp;outcomes_dir=asc#outcomes">' in page
    )
    assert '<th scope="col"><a href="?outcomes_sort=label&amp;outcomes_dir=asc#outcomes">Outcome</a></th>' in page

    page = admin_client.get(
        analytics_url(
            small_tree, start="2026-01-01", outcomes_sort="cases", outcomes_dir="asc", questions_sort="drop_off_rate"
        )
    ).content.decode()
    # Equal values stay in the order of their labels.
    assert row_labels(page, "outcomes") == [
        "Node #987654 (removed)",
        "Resident help",
        "General help",
        "Non-resident help",
    ]
    assert row_labels(page, "questions") == ["Who are you?", "Are you a non-resident business?"]
    sorted_by_cases = "?start=2026-01-01&amp;questions_sort=drop_off_rate&amp;outcomes_sort=cases&amp;outcomes_dir=desc"
    assert f'aria-sort="ascending"><a href="{sorted_by_cases}#outcomes">' in page
    assert '<input type="hidden" name="questions_sort" value="drop_off_rate">' in page

    page = admin_client.get(
        analytics_url(small_tree, outcomes_sort="deflection", questions_sort="drop_off_rate", questions_dir="asc")
    ).content.decode()
    assert row_labels(page, "outcomes") == [
        "Node #987654 (removed)",
        "General help",
        "Non-resident help",
        "Resident help",
    ]
    assert row_labels(page, "questions") == ["Are you a non-resident business?", "Who are you?"]
    page = admin_client.get(
        analytics_url(small_tree, outcomes_sort="password", outcomes_dir="sideways")
    ).content.decode()
    assert row_labels(page, "outcomes")[0] == "Non-resident help"


def test_the_period_is_chosen_with_a_form(small_tree, counted, admin_client):
    first = (eastern_date() - timedelta(days=30)).isoformat()
    page = admin_client.get(analytics_url(small_tree, start=first, end=first)).content.decode()
    assert f"From {first} to {first}, both included" in page
    assert f'<input type="date" name="start" value="{first}"' in page
    page = admin_client.get(analytics_url(small_tree, start="2026-05-02", end="2026-05-01")).content.decode()
    assert "The first day must not come after the last day." in page
    page = admin_client.get(analytics_url(small_tree, start="yesterday")).content.decode()
    assert "Enter a valid date." in page and "the figures below are those of the last 30 days" in page


def read_csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_tables_download_as_csv(small_tree, counted, admin_client):
    response = admin_client.get(analytics_url(small_tree, format="csv", table="outcomes"))
    start, end = analytics.default_period()
    assert response["Content-Disposition"] == f'attachment; filename="small-outcomes-{start}-{end}.csv"'
    rows = read_csv(response)
    assert rows[0][:4] == ["Node ID", "Outcome", "Reached by", "Visits"]
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id[str(counted["non_resident"].pk)][1:] == [
        "Non-resident help",
        "Importer › Yes",
        "40",
        "3",
        "1",
        "6",
        "4",
        "90.0",
    ]
    assert by_id[str(counted["resident_help"].pk)][-1] == ""
    rows = read_csv(admin_client.get(analytics_url(small_tree, format="csv", table="questions")))
    assert rows[0][3:] == [
        "Answer",
        "Visits",
        "Times chosen",
        "Share of visits (%)",
        "Left without answering",
        "Drop-off rate (%)",
    ]
    who = [row[3:] for row in rows if row[0] == str(counted["who"].pk)]
    assert who == [
        ["", "120", "105", "", "15", "12.5"],
        ["Importer", "", "70", "58.3", "", ""],
        ["Other", "", "30", "25.0", "", ""],
        ["astronaut (removed)", "", "5", "4.2", "", ""],
    ]
    assert admin_client.get(analytics_url(small_tree, format="csv", table="cases")).status_code == 404


def test_csv_cells_never_start_a_formula(db, admin_client):
    tree = build_tree("formula", {"@SUM(A1)?": {"=1+1": "-2 help", "Plain": "+cmd|' /C calc'!A0"}})
    rows = read_csv(admin_client.get(analytics_url(tree, format="csv", table="outcomes")))
    labels = {row[1] for row in rows[1:]}
    assert labels == {"'-2 help", "'+cmd|' /C calc'!A0"}
    rows = read_csv(admin_client.get(analytics_url(tree, format="csv", table="questions")))
    assert {row[1] for row in rows[1:]} == {"'@SUM(A1)?"} and {row[3] for row in rows[1:]} == {"", "'=1+1", "Plain"}


def test_case_reviewers_may_not_see_the_figures(small_tree, client):
    """Those who may see help trees see the page; case reviewers get 403; anyone else signs in first."""
    url = analytics_url(small_tree)
    assert client.get(url).status_code == 302
    sign_in_staff(client, staff("reviewer", "Case reviewers"))
    assert client.get(url).status_code == 403
    assert client.get(analytics_url(small_tree, format="csv", table="outcomes")).status_code == 403
    sign_in_staff(client, staff("editor", "Tree editors"))
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:triage_tree_analytics", args=["99999"])).status_code == 404


def test_queries_do_not_grow_with_the_tree(small_tree, admin_client, django_assert_max_num_queries):
    """The page costs the same queries for 5 nodes as for 1,200 counted ones (nodes removed included)."""
    big = build_chain_tree("big", depth=400, width=3)

    def count_everything(tree):
        for node_id in Node.objects.filter(tree=tree).values_list("pk", flat=True):
            count(tree, node_id, n=3)
            count(tree, node_id, CHOICE, 1, slug="go-on")
        count(tree, 987654, n=1)
        admin_client.get(analytics_url(tree))  # the release's graph is read once, then kept
        with CaptureQueriesContext(connections["default"]) as queries:
            assert admin_client.get(analytics_url(tree)).status_code == 200
        return len(queries.captured_queries)

    small, large = count_everything(small_tree), count_everything(big)
    assert small == large
    with CaptureQueriesContext(connections["default"]) as queries:
        figures = analytics.tree_figures(big, *analytics.default_period())
    assert len(queries.captured_queries) == 4 and len(figures.questions) == 400


# The graph.


def test_the_graph_gives_each_nodes_visits(small_tree, admin_client):
    """Up to yesterday, so that the drawing is the same all day."""
    who = node(small_tree, "Who are you?")
    yesterday = eastern_date() - timedelta(days=1)
    count(small_tree, who.pk, n=7, day=yesterday)
    count(small_tree, who.pk, n=100)  # today: not yet
    page = admin_client.get(reverse("admin:triage_tree_graph", args=[small_tree.pk])).content.decode()
    assert f"7 visits in the 30 days to {yesterday.isoformat()}" in page
    assert "0 visits in the 30 days to" in page
    dot = admin_client.get(reverse("admin:triage_tree_graph_file", args=[small_tree.pk, "dot"])).content.decode()
    assert f"7 visits in the 30 days to {yesterday.isoformat()}" in dot
