"""The case list's one-click views and its "take the next case" button, and the workload page: open
cases by age and by assignee."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..models import Case, Team
from ..selectors import age_label, open_cases_by_age, open_cases_by_assignee
from ..teams import case_take_next

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
        (_("My team's open cases"), {"team": "mine"}),
        (_("Due soon"), {"due": "soon"}),
    ]
    return [
        {"label": label, "url": f"?{urlencode(params)}" if params else "?", "current": shown == params}
        for label, params in views
    ]


def take_next_view(model_admin, request):
    """Assign me the unassigned open case of my teams whose next reply is due first, and open it; back
    to the list, saying why, when none is waiting."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    case = case_take_next(request.user)
    if case is not None:
        model_admin.message_user(
            request,
            _("Case %(reference)s is assigned to you.") % {"reference": case.display_reference},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:cases_case_change", args=[case.pk]))
    if Team.objects.filter(members=request.user).exists():
        message = _("No case is waiting: every open case of your teams is assigned.")
    else:
        message = _("You are in no team, so no case waits for you: ask whoever manages the teams to add you to one.")
    model_admin.message_user(request, message, messages.INFO)
    return redirect(reverse("admin:cases_case_changelist"))


def count_link(count, **params):
    """A count and the address of the case list of those cases (none for 0: nothing to list); the
    workload page and the admin index show it with admin/cases/case/workload_count.html."""
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
            "open": count_link(open_count, age=bucket[0]),
            "overdue": count_link(overdue_count, age=bucket[0], overdue="yes"),
        }
        for bucket, open_count, overdue_count in open_cases_by_age(now)
    ]
    people = []
    for row in open_cases_by_assignee(now):
        who = str(row["user_id"]) if row["user_id"] else "nobody"
        people.append(
            {
                "name": row["name"] if row["user_id"] else pgettext("cases nobody is assigned to", "Unassigned"),
                "open": count_link(row["open"], assigned=who),
                "overdue": count_link(row["overdue"], assigned=who, overdue="yes"),
                "due_today": count_link(row["due_today"], assigned=who, due="today"),
                "waiting": count_link(row["waiting"], assigned=who, status=Case.Status.WAITING_ON_CLIENT),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Case._meta,
        "title": _("Workload"),
        "ages": ages,
        "total_open": count_link(sum(row["open"]["count"] for row in ages)),
        "people": people,
    }
    return TemplateResponse(request, "admin/cases/case/workload.html", context)
