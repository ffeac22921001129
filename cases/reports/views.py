"""The service-standard report page for managers: figures by month or week, three charts and CSV files.

One address serves the page, its three charts (``?chart=on-time``, ``?chart=volume``,
``?chart=resolved``, SVG images) and the figures as CSV (``?format=csv``, or with ``chart=`` the
figures of that chart; ``?format=csv&table=teams``, each team's answers to "Did we resolve your
request?"). The report covers every team: it has no team filter. It is wrapped in the admin's sign-in
(``admin.site.admin_view``) in the root URLs, and asks for the permission
``cases.view_service_standard`` besides.
"""

from datetime import date, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk.calendar import eastern, eastern_date
from helpdesk.times import date_words

from ..models import VIEW_SERVICE_STANDARD, Case
from . import charts as report_charts
from . import satisfaction as report_satisfaction
from . import service_standard as reports
from . import tables as report_tables

PERIODS_SHOWN = 12
# The earliest period end. The report counts 12 months or weeks back from the end: an end long before
# the first case shows nothing, and one in year 1 would count back before the first date there is.
EARLIEST_END = date(2000, 1, 1)
CHARTS = ("on-time", "volume", "resolved")


class ReportForm(forms.Form):
    by = forms.ChoiceField(
        label=gettext_lazy("Show the figures"),
        choices=[
            (reports.MONTH, gettext_lazy("By month, for the 12 months up to the period end")),
            (reports.WEEK, gettext_lazy("By week (Monday to Sunday), for the 12 weeks up to the period end")),
        ],
        widget=forms.RadioSelect,
    )
    end = forms.DateField(
        label=gettext_lazy("Period ends on"),
        # A text field: the Nu HTML Checker warns that type="date" is not supported everywhere.
        widget=forms.DateInput(attrs={"size": 10, "autocomplete": "off"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "The report ends with the month, or the week, that holds this date. Format: YYYY-MM-DD."
        ),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end > self.today:
            raise forms.ValidationError(_("The period cannot end after today."))
        if end < EARLIEST_END:
            raise forms.ValidationError(
                _("The period cannot end before %(date)s."), params={"date": EARLIEST_END.isoformat()}
            )
        return end


def service_standard_report(request):
    """The report page, a chart of it, or its figures as CSV, to staff with the permission."""
    if not request.user.has_perm(VIEW_SERVICE_STANDARD):
        raise PermissionDenied
    now = timezone.now()
    today = eastern_date(now)
    data = {"by": reports.MONTH, "end": today.isoformat()}
    data.update({key: request.GET[key] for key in ("by", "end") if key in request.GET})
    form = ReportForm(data, today=today)
    chart, wants_csv = request.GET.get("chart"), request.GET.get("format") == "csv"
    if chart is not None and chart not in CHARTS:
        raise Http404
    table = request.GET.get("table")
    if table is not None and (table != report_satisfaction.TEAM_TABLE or chart or not wants_csv):
        raise Http404
    periods = None
    if form.is_valid():
        periods = report_periods(form.cleaned_data["by"], form.cleaned_data["end"], now)
    elif chart or wants_csv:
        raise BadRequest
    target = reports.target_percent()

    if table:
        response = report_satisfaction.team_csv(periods, form.cleaned_data["by"])
    elif wants_csv:
        response = report_tables.figures_csv(periods, form.cleaned_data["by"], chart, target)
    elif chart:
        labels = [report_tables.period_label(period, short=True) for period in periods]
        if chart == "on-time":
            svg = report_charts.on_time_chart(periods, labels, target)
        elif chart == "resolved":
            svg = report_charts.resolved_chart(periods, labels)
        else:
            svg = report_charts.volume_chart(periods, labels)
        response = HttpResponse(svg, content_type="image/svg+xml")
    else:
        response = TemplateResponse(
            request,
            "admin/cases/report/service_standard.html",
            {
                **admin.site.each_context(request),
                "opts": Case._meta,
                "title": _("Service standard"),
                "form": form,
                "target": target,
                "now_text": moment_text(now),
                **(page_context(periods, form.cleaned_data, target) if periods is not None else {}),
            },
        )
    return response


def report_periods(by, end, now):
    """The 12 months or weeks that end with the one holding the date `end`."""
    if by == reports.MONTH:
        months = end.year * 12 + end.month - 1 - (PERIODS_SHOWN - 1)
        return reports.monthly(end.replace(year=months // 12, month=months % 12 + 1, day=1), PERIODS_SHOWN, now=now)
    return reports.weekly(end - timedelta(weeks=PERIODS_SHOWN - 1), PERIODS_SHOWN, now=now)


def moment_text(moment):
    """A moment in Eastern time, its zone named: "23 November 2026, 10:49 EST"."""
    local = eastern(moment)
    return f"{date_words(local, 'j F Y')}, {local:%H:%M} {local.tzname()}"


def page_context(periods, choices, target):
    query = {"by": choices["by"], "end": choices["end"].isoformat()}
    address = reverse("service_standard_report")

    def link(**extra):
        return f"{address}?{urlencode({**query, **extra})}"

    return {
        "by": choices["by"],
        "first": periods[0].first,
        "last": periods[-1].last,
        **report_tables.page_tables(periods, target),
        "team_tables": report_satisfaction.team_tables(periods),
        "urls": {
            "csv": link(format="csv"),
            "on_time_chart": link(chart="on-time"),
            "on_time_csv": link(chart="on-time", format="csv"),
            "volume_chart": link(chart="volume"),
            "volume_csv": link(chart="volume", format="csv"),
            "resolved_chart": link(chart="resolved"),
            "resolved_csv": link(chart="resolved", format="csv"),
            "resolved_teams_csv": link(format="csv", table=report_satisfaction.TEAM_TABLE),
        },
    }


# Included by the root URLs at admin/cases/service-standard/, before the admin's own: the admin's
# sign-in (with the authenticator app's code) comes first, then the permission.
urlpatterns = [path("", admin.site.admin_view(service_standard_report), name="service_standard_report")]
