"""The cases' metrics: cases filed, and the outbox's, task queue's and open cases' figures read at each scrape."""

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client.parser import text_string_to_metric_families

from cases.models import Case, OutboundEmail


def figures(client):
    """{(name, labels as a tuple of pairs): value} of /metrics, read from loopback."""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def task(status="READY", run_after=None, enqueued_at=None):
    """A task result row of django-tasks-db, to run at once unless `run_after` is given."""
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="cases.tasks.deliver_email",
        backend_name="default",
        queue_name="default",
        run_after=run_after or get_date_max(),
    )
    if enqueued_at:
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)
    return row


def test_cases_filed_are_counted_by_class_and_language(client, make_case, django_capture_on_commit_callbacks):
    """Each case filed adds one to its response class and language, once its transaction commits."""
    key = ("carmsupport_cases_filed_total", (("language", "fr"), ("response_class", "financial")))
    before = figures(client).get(key, 0)
    with django_capture_on_commit_callbacks(execute=True):
        make_case(topic="rm-account", language="fr")
        make_case(topic="rm-account", language="fr")
        make_case(topic="portal-access", language="fr")
    after = figures(client)
    assert after[key] - before == 2
    assert after[("carmsupport_cases_filed_total", (("language", "fr"), ("response_class", "standard")))] >= 1


def test_outbox_backlog_and_failures(client, make_case):
    """Queued emails, the oldest one's age since it was queued, and the failed ones, from the outbox's rows."""
    now = timezone.now()
    first, second, third = (make_case() for _ in range(3))
    emails = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    emails.filter(case=first).update(created_at=now - timedelta(minutes=30))
    emails.filter(case=second).update(created_at=now - timedelta(minutes=5))
    emails.filter(case=third).update(status=OutboundEmail.Status.FAILED, created_at=now - timedelta(days=2))
    OutboundEmail.objects.exclude(kind=OutboundEmail.Kind.ACKNOWLEDGMENT).delete()  # staff's notices of new cases
    seen = figures(client)
    assert seen[("carmsupport_emails_queued", ())] == 2
    assert 30 * 60 <= seen[("carmsupport_emails_queued_oldest_age_seconds", ())] < 31 * 60
    assert seen[("carmsupport_emails_failed", ())] == 1
    assert seen[("carmsupport_scrape_collector_up", (("collector", "cases"),))] == 1


def test_an_empty_outbox_and_queue_are_zero(client, db):
    seen = figures(client)
    for name in ("emails_queued", "emails_queued_oldest_age_seconds", "tasks_ready", "tasks_ready_oldest_age_seconds"):
        assert seen[(f"carmsupport_{name}", ())] == 0


def test_task_queue_depth_and_lag(client, db):
    """Ready tasks are counted, and the oldest waits since it was enqueued, or since its run_after; tasks due
    later, running or finished are not."""
    now = timezone.now()
    task(enqueued_at=now - timedelta(minutes=2))
    task(run_after=now - timedelta(minutes=10), enqueued_at=now - timedelta(hours=1))
    task(run_after=now + timedelta(minutes=10))
    task(status="RUNNING", enqueued_at=now - timedelta(hours=3))
    task(status="SUCCESSFUL", enqueued_at=now - timedelta(hours=3))
    seen = figures(client)
    assert seen[("carmsupport_tasks_ready", ())] == 2
    assert 10 * 60 <= seen[("carmsupport_tasks_ready_oldest_age_seconds", ())] < 11 * 60


def test_due_soon_and_overdue_cases(client, make_case):
    """Open cases due within the due-soon hours and open cases past their reply's target, by the cases' rules;
    a closed case past its target is neither."""
    now = timezone.now()
    soon, late, later, closed = (make_case() for _ in range(4))
    Case.objects.filter(pk=soon.pk).update(reply_due_at=now + timedelta(minutes=1))
    Case.objects.filter(pk=late.pk).update(reply_due_at=now - timedelta(hours=1))
    Case.objects.filter(pk=later.pk).update(reply_due_at=now + timedelta(days=30))
    Case.objects.filter(pk=closed.pk).update(reply_due_at=now - timedelta(hours=1), status=Case.Status.CLOSED)
    seen = figures(client)
    assert seen[("carmsupport_cases_due_soon", ())] == 1
    assert seen[("carmsupport_cases_overdue", ())] == 1


def test_the_database_away_leaves_the_other_metrics(client, db, monkeypatch):
    """When the cases' figures cannot be read, the scrape still answers, and says the collector failed."""
    from django.db import OperationalError

    def fail(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.models.query.QuerySet.aggregate", fail)
    seen = figures(client)
    assert seen[("carmsupport_scrape_collector_up", (("collector", "cases"),))] == 0
    assert ("carmsupport_emails_queued", ()) not in seen
    assert any(name == "carmsupport_requests_total" for name, _labels in seen)


def test_scrape_time_figures_take_a_few_constant_queries(client, make_case, django_assert_max_num_queries):
    """A scrape reads the database in four queries, however many rows there are."""
    for _ in range(3):
        make_case()
        task()
    with django_assert_max_num_queries(4):
        figures(client)
