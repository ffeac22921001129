"""Reads about cases that take more than a filter: the service-standard figures."""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from .models import Case, Message, overdue


def service_standard(days=30, now=None):
    """Of the cases received in the last `days` days: how many have had a first response, how many
    of those by their target, and how many wait past a target; of the follow-ups received in
    that time and answered, how many by their own target (two queries)."""
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
    # The client's follow-ups, each with its own target, answered in the same period.
    figures["next"] = Message.objects.filter(
        kind=Message.Kind.FOLLOW_UP, created_at__gte=now - timedelta(days=days), answered_at__isnull=False
    ).aggregate(answered=Count("pk"), on_time=Count("pk", filter=Q(answered_at__lte=F("due_at"))))
    return figures
