"""The cases' metrics: cases filed, and the figures read from the database at each scrape.

Cases filed are a counter, added to when the case's transaction commits: cheap, summed over gunicorn's workers
(dead ones included) in multiprocess mode, and Prometheus's rate() reads it across restarts. The backlogs
(emails waiting, tasks waiting, cases due soon or overdue) are read at scrape time by CasesCollector, which
carmsupport.observability runs in the scrape request: four queries, once per scrape.
"""

from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max
from prometheus_client import Counter
from prometheus_client.core import GaugeMetricFamily

from .models import Case, OutboundEmail, overdue
from .selectors import due_soon

CASES_FILED = Counter(
    "carmsupport_cases_filed", "Cases filed, by response class and language.", ["response_class", "language"]
)


def count_filed(case: Case) -> None:
    CASES_FILED.labels(case.response_class, case.language).inc()


def _age(now, since) -> float:
    return max(0.0, (now - since).total_seconds()) if since else 0.0


class CasesCollector:
    """The outbox's, the task queue's and the open cases' figures, read when Prometheus scrapes."""

    name = "cases"

    def collect(self):
        now = timezone.now()
        emails = OutboundEmail.objects.aggregate(
            queued=Count("pk", filter=Q(status=OutboundEmail.Status.QUEUED)),
            oldest=Min("created_at", filter=Q(status=OutboundEmail.Status.QUEUED)),
            failed=Count("pk", filter=Q(status=OutboundEmail.Status.FAILED)),
        )
        yield GaugeMetricFamily(
            "carmsupport_emails_queued", "Emails in the outbox waiting to be sent.", emails["queued"]
        )
        yield GaugeMetricFamily(
            "carmsupport_emails_queued_oldest_age_seconds",
            "Age of the oldest email waiting to be sent, since it was queued; 0 when none.",
            _age(now, emails["oldest"]),
        )
        yield GaugeMetricFamily(
            "carmsupport_emails_failed", "Emails marked failed after their attempts.", emails["failed"]
        )

        # A task is ready once its run_after has passed; one enqueued to run at once has run_after at the far
        # future (django-tasks-db's mark), and has been ready since it was enqueued.
        at_once = Q(run_after=get_date_max())
        tasks = DBTaskResult.objects.ready().aggregate(
            ready=Count("pk"),
            enqueued=Min("enqueued_at", filter=at_once),
            delayed=Min("run_after", filter=~at_once),
        )
        since = min((t for t in (tasks["enqueued"], tasks["delayed"]) if t), default=None)
        yield GaugeMetricFamily(
            "carmsupport_tasks_ready", "Tasks ready to run, waiting for a task worker.", tasks["ready"]
        )
        yield GaugeMetricFamily(
            "carmsupport_tasks_ready_oldest_age_seconds",
            "How long the oldest ready task has waited for a worker; 0 when none.",
            _age(now, since),
        )

        cases = Case.objects.aggregate(
            due_soon=Count("pk", filter=due_soon(now)), overdue=Count("pk", filter=overdue(now))
        )
        yield GaugeMetricFamily(
            "carmsupport_cases_due_soon",
            "Open cases whose next reply is due soon (DUE_SOON_OPEN_HOURS).",
            cases["due_soon"],
        )
        yield GaugeMetricFamily(
            "carmsupport_cases_overdue",
            "Open cases with a client's message unanswered past its target.",
            cases["overdue"],
        )
