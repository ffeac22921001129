"""The case list's filters: open cases by default, overdue, due today or soon, assignee, team and age.

The status filter shows open cases (new, in progress, waiting on client) when the address names no
status, so that resolved and closed cases stay out of the daily list. A search with no status named
looks in every status: a reference, an email or a name finds the case even once it is closed.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carmsupport.bilingual import current_language

from ..models import Case, Team, overdue
from ..selectors import AGE_BUCKETS, age_bounds, age_label, due_later_today, due_soon

OPEN, ALL = "open", "all"


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"
    # The address the admin's own status filter used: links written for it keep working.
    FIELD_PARAMETER = "status__exact"

    def __init__(self, request, params, model, model_admin):
        self.searching = bool(request.GET.get(SEARCH_VAR, "").strip())
        if self.FIELD_PARAMETER in params and self.parameter_name not in params:
            params[self.parameter_name] = params.pop(self.FIELD_PARAMETER)
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(OPEN, _("Open")), *Case.Status.choices, (ALL, _("All, including closed"))]

    def chosen(self):
        """The status asked for; without one, open cases, or every case for a search."""
        value = self.value()
        if value is None:
            return ALL if self.searching else OPEN
        return value

    def queryset(self, request, queryset):
        value = self.chosen()
        if value == OPEN:
            return queryset.filter(status__in=Case.Status.open_statuses())
        if value in Case.Status.values:
            return queryset.filter(status=value)
        return queryset

    def choices(self, changelist):
        """The statuses, the one in force marked; no "All" entry, since no status means open ones."""
        facet_counts = self.get_facet_queryset(changelist) if changelist.add_facets else {}
        chosen = self.chosen()
        for n, (value, title) in enumerate(self.lookup_choices):
            count = facet_counts.get(f"{n}__c")
            yield {
                "selected": chosen == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}, [self.FIELD_PARAMETER]),
                "display": f"{title} ({count})" if count is not None else title,
            }


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue())
        if self.value() == "no":
            return queryset.exclude(overdue())
        return queryset


def due_soon_label():
    hours = settings.DUE_SOON_OPEN_HOURS
    return ngettext(
        "Soon: within the next %(hours)d open hour", "Soon: within the next %(hours)d open hours", hours
    ) % {"hours": hours}


class DueFilter(admin.SimpleListFilter):
    title = _("next reply due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [
            ("today", _("Later today (not overdue yet)")),
            ("soon", due_soon_label()),
        ]

    def queryset(self, request, queryset):
        if self.value() == "today":
            return queryset.filter(due_later_today())
        if self.value() == "soon":
            return queryset.filter(due_soon())
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    """Me, nobody, or a member of staff by id (the workload page links to each one's cases)."""

    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        choices = [("me", _("Me")), ("nobody", _("Nobody"))]
        value = self.value()
        if value and value.isdigit():
            user = get_user_model().objects.filter(pk=value).first()
            if user is not None:
                choices.append((value, user.get_full_name() or user.get_username()))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "me":
            return queryset.filter(assigned_to=request.user)
        if value == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        if value and value.isdigit():
            return queryset.filter(assigned_to_id=value)
        return queryset


class TeamFilter(admin.SimpleListFilter):
    """The teams I belong to, or one team by id (the admin index links to each of mine)."""

    title = _("team")
    parameter_name = "team"

    def lookups(self, request, model_admin):
        teams = Team.objects.order_by(f"name_{current_language()}", "name_en", "pk")
        return [("mine", _("My teams")), *((str(team.pk), team.name) for team in teams)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "mine":
            return queryset.filter(team__in=Team.objects.filter(members=request.user).values("pk"))
        if value and value.isdigit():
            return queryset.filter(team_id=value)
        return queryset


class AgeFilter(admin.SimpleListFilter):
    """Age in business days since received, in the workload page's groups (selectors.AGE_BUCKETS)."""

    title = _("age in business days")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [(str(low), age_label((low, high))) for low, high in AGE_BUCKETS]

    def queryset(self, request, queryset):
        bucket = next((bucket for bucket in AGE_BUCKETS if str(bucket[0]) == self.value()), None)
        if bucket is None:
            return queryset
        since, before = age_bounds(bucket, timezone.now())
        if since is not None:
            queryset = queryset.filter(received_at__gte=since)
        if before is not None:
            queryset = queryset.filter(received_at__lt=before)
        return queryset
