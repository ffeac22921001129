"""The case list's one-click views, and the workload page: open cases by age and by assignee."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import Case
from ..selectors import age_label, open_cases_by_age, open_cases_by_assignee

# Parameters that change how a view is shown, not which cases it holds.
PRESENTATION = {"o", "p", "_facets", "e"}


def list_views(request):
    """The links above the case list to its usual views, the one shown marked current."""
    shown = {key: value for key, value in request.GET.items() if key not in PRESENTATION}
    views = [
        (_("Open cases"), {}),
        (_("My open cases"), {"assigned": "me"}),
        (pgettext("cases nobody is assigned to", "Unassigned"), {"assigned": "nobody"}),
        (_("Overdue"), {"overdue": "yes"}),
    ]
    return [
        {"label": label, "url": f"?{urlencode(params)}" if params else "?", "current": shown == params}
        for label, params in views
    ]


def _cell(count, **params):
    """A count and the address of the case list of those cases (none for 0: nothing to list)."""
    changelist = reverse("admin:cases_case_changelist")
    url = (f"{changelist}?{urlencode(params)}" if params else changelist) if count else None
    return {"count": count, "url": url}


def workload_view(model_admin, request):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    now = timezone.now()
    ages = [
        {
            "label": age_label(bucket),
            "open": _cell(open_count, age=bucket[0]),
            "overdue": _cell(overdue_count, age=bucket[0], overdue="yes"),
        }
        for bucket, open_count, overdue_count in open_cases_by_age(now)
    ]
    people = []
    for row in open_cases_by_assignee(now):
        who = str(row["user_id"]) if row["user_id"] else "nobody"
        people.append(
            {
                "name": row["name"] if row["user_id"] else pgettext("cases nobody is assigned to", "Unassigned"),
                "open": _cell(row["open"], assigned=who),
                "overdue": _cell(row["overdue"], assigned=who, overdue="yes"),
                "due_today": _cell(row["due_today"], assigned=who, due="today"),
                "waiting": _cell(row["waiting"], assigned=who, status=Case.Status.WAITING_ON_CLIENT),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Case._meta,
        "title": _("Workload"),
        "ages": ages,
        "total_open": _cell(sum(row["open"]["count"] for row in ages)),
        "people": people,
    }
    return TemplateResponse(request, "admin/cases/case/workload.html", context)
