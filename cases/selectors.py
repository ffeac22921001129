"""Reads about cases that take more than a filter: the service-standard figures."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Case, overdue


def service_standard(days=30, now=None):
    """Of the cases received in the last `days` days: how many have had a first response, how many
    of those by their target, and how many still wait past it (one query)."""
    now = now or timezone.now()
    figures = Case.objects.filter(received_at__gte=now - timedelta(days=days)).aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        on_time=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
        overdue=Count("pk", filter=overdue(now)),
    )
    answered = figures["answered"]
    figures["days"] = days
    figures["on_time_percent"] = round(100 * figures["on_time"] / answered) if answered else None
    return figures
