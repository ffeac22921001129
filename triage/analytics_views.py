"""Staff see whether a help tree helps: per outcome and per question, over a period, as sortable
tables and as CSV files. The figures are in triage.analytics."""

from datetime import timedelta

from django import forms
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carmsupport.charts import table_bar
from helpdesk.calendar import eastern_date

from . import analytics, analytics_tables
from .models import Tree
from .staff_trees import tree_for_staff

# The periods offered as links beside the form, in days.
QUICK_PERIODS = (7, 30, 90, 365)
TABLES = {"outcomes": analytics.OUTCOME_COLUMNS, "questions": analytics.QUESTION_COLUMNS}


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=gettext_lazy("To (included)"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_end(self):
        end = self.cleaned_data["end"]
        if end > eastern_date():
            raise forms.ValidationError(_("The period cannot end after today."))
        return end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day must not come after the last day."))
        return cleaned


def _percent(ratio):
    """A ratio as the page shows it, "87.5%" (as the language writes it), or a dash."""
    if ratio is None:
        return "—"
    # Rounded first: number_format cuts the digits off.
    return _("%(percent)s%%") % {"percent": number_format(round(ratio * 100, 1), 1)}


def _path_text(labels, shown=4):
    """The answers that lead to a node, the last few of a long path: "… › Yes › EC-1012"."""
    if not labels:
        return ""
    text = " › ".join(labels[-shown:])
    return f"… › {text}" if len(labels) > shown else text


def _node_row(row, most_visits):
    """What the tables show of every node: its figures, its page in the admin unless removed, the
    end of the path to it, and its visits as a bar against the most visited."""
    return {
        "row": row,
        "url": None if row.removed else reverse("admin:triage_node_change", args=[row.node_id]),
        "path": _path_text(row.reached_by),
        "bar": table_bar(row.visits, most_visits),
    }


def _sorting(query, table):
    """(column, descending) asked for a table in the query, visits first by default."""
    column = query.get(f"{table}_sort", "visits")
    if column not in TABLES[table]:
        column = "visits"
    return column, query.get(f"{table}_dir", "desc") != "asc"


def _link(query, fragment="", **changes):
    """This page's address with the query changed (a value of None removes the parameter)."""
    changed = query.copy()
    for name in ("format", "table"):
        changed.pop(name, None)
    for name, value in changes.items():
        changed.pop(name, None)
        if value is not None:
            changed[name] = value
    return f"?{changed.urlencode()}{fragment}"


def _headers(query, table, sorted_by, descending):
    """The table's column headers: each a link sorting by it (again: the other way), aria-sort on the sorted one."""
    headers = []
    for column in analytics_tables.ON_PAGE[table]:
        if column.name == sorted_by:
            direction = "asc" if descending else "desc"
            state = "descending" if descending else "ascending"
        else:
            direction = "asc" if column.name == "label" else "desc"
            state = None
        url = _link(query, f"#{table}", **{f"{table}_sort": column.name, f"{table}_dir": direction})
        headers.append({"label": column.header, "url": url, "sort": state})
    return headers


def analytics_view(model_admin, request, object_id):
    """Visits, choices, feedback, contact forms and cases of a tree over a period, or one table as CSV."""
    tree = tree_for_staff(model_admin, request, object_id)
    # This process's own counts, at least, are on the page (other processes write theirs within FLUSH_SECONDS).
    analytics.flush(wait=False)
    start, end = analytics.default_period()
    if "start" in request.GET or "end" in request.GET:
        form = PeriodForm(request.GET)
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        # Otherwise the errors show, above the figures of the last 30 days.
    else:
        form = PeriodForm(initial={"start": start, "end": end})
    figures = analytics.tree_figures(tree, start, end)
    outcome_sort = _sorting(request.GET, "outcomes")
    question_sort = _sorting(request.GET, "questions")
    outcomes = analytics.sorted_rows(figures.outcomes, analytics.OUTCOME_COLUMNS, *outcome_sort)
    questions = analytics.sorted_rows(figures.questions, analytics.QUESTION_COLUMNS, *question_sort)

    if request.GET.get("format") == "csv":
        table = request.GET.get("table")
        if table not in TABLES:
            raise Http404
        rows = outcomes if table == "outcomes" else questions
        return analytics_tables.table_csv(tree, figures, table, rows)

    query = request.GET
    most_outcome_visits = max((row.visits for row in outcomes), default=0)
    most_question_visits = max((row.visits for row in questions), default=0)
    outcome_rows = [{**_node_row(row, most_outcome_visits), "deflection": _percent(row.deflection)} for row in outcomes]
    question_rows = [
        {
            **_node_row(row, most_question_visits),
            "drop_off_rate": _percent(row.drop_off_rate),
            "choices": [
                {
                    "choice": choice,
                    "share": _percent(choice.share),
                    "bar": table_bar(choice.taken, row.visits, height=6),
                }
                for choice in row.choices
            ],
        }
        for row in questions
    ]
    today = eastern_date()
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Tree._meta,
        "original": tree,
        "tree": tree,
        "title": _("Does “%(tree)s” help?") % {"tree": tree.title},
        "form": form,
        "figures": figures,
        "kept": [
            (name, query[name])
            for name in ("outcomes_sort", "outcomes_dir", "questions_sort", "questions_dir")
            if name in query
        ],
        "quick_periods": [
            (days, _link(query, start=str(today - timedelta(days=days - 1)), end=str(today))) for days in QUICK_PERIODS
        ],
        "total_deflection": _percent(figures.deflection),
        "outcome_headers": _headers(query, "outcomes", *outcome_sort),
        "question_headers": _headers(query, "questions", *question_sort),
        "outcome_rows": outcome_rows,
        "question_rows": question_rows,
        "outcomes_csv": _csv_link(query, "outcomes"),
        "questions_csv": _csv_link(query, "questions"),
        "flush_seconds": analytics.counter.flush_seconds,
    }
    return TemplateResponse(request, "admin/triage/tree/analytics.html", context)


def _csv_link(query, table):
    """The address of one table as CSV, for the period and order shown."""
    changed = query.copy()
    changed["format"], changed["table"] = "csv", table
    return f"?{changed.urlencode()}"
