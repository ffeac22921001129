"""The admin index's summary of my teams' cases: open, due soon and overdue, each opening the list."""

from django import template
from django.conf import settings

from ..admin.workload import count_link
from ..models import VIEW_CASES
from ..selectors import team_queues as queues_of

register = template.Library()


@register.inclusion_tag("admin/cases/team_queues.html", takes_context=True)
def team_queues(context):
    """For each of the signed-in member's teams, its open, due soon and overdue cases (three queries)."""
    request = context["request"]
    if not request.user.has_perm(VIEW_CASES):
        return {"shown": False}
    rows = [
        {
            "team": row["team"],
            "open": count_link(row["open"], team=row["team"].pk),
            "due_soon": count_link(row["due_soon"], team=row["team"].pk, due="soon"),
            "overdue": count_link(row["overdue"], team=row["team"].pk, overdue="yes"),
        }
        for row in queues_of(request.user)
    ]
    return {"shown": True, "rows": rows, "hours": settings.DUE_SOON_OPEN_HOURS}
