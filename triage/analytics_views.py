"""Staff see whether a help tree helps: per outcome and per question, over a period, as sortable
tables and as CSV files. The figures are in triage.analytics."""

import csv
from datetime import timedelta

from django import forms
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import analytics
from .models import Tree
from .staff_trees import tree_for_staff

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Width in pixels of the longest bar of a table.
BAR_WIDTH = 100
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
        if end > analytics.toronto_today():
            raise forms.ValidationError(_("The period cannot end after today."))
        return end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day must not come after the last day."))
        return cleaned


def spreadsheet_safe(value):
    """A cell for a CSV file: numbers as they are, text with a leading apostrophe when it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _percent(ratio):
    """A ratio as the page shows it, "87.5%" (as the language writes it), or a dash."""
    if ratio is None:
        return "—"
    # Rounded first: number_format cuts the digits off.
    return _("%(percent)s%%") % {"percent": number_format(round(ratio * 100, 1), 1)}


def _bar(value, largest):
    """The width of a bar, in whole pixels (an SVG attribute: never a localized number)."""
    return str(round(BAR_WIDTH * value / largest)) if largest and value > 0 else "0"


def _path_text(labels, shown=4):
    """The answers that lead to a node, the last few of a long path: "… › Yes › EC-1012"."""
    if not labels:
        return ""
    text = " › ".join(labels[-shown:])
    return f"… › {text}" if len(labels) > shown else text


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


def _headers(query, table, columns, sorted_by, descending):
    """The table's column headers: each a link sorting by it (again: the other way), aria-sort on the sorted one."""
    headers = []
    for column, label in columns:
        if column == sorted_by:
            direction = "asc" if descending else "desc"
            state = "descending" if descending else "ascending"
        else:
            direction = "asc" if column == "label" else "desc"
            state = None
        url = _link(query, f"#{table}", **{f"{table}_sort": column, f"{table}_dir": direction})
        headers.append({"label": label, "url": url, "sort": state})
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
        return _csv(tree, figures, table, rows)

    query = request.GET
    most_outcome_visits = max((row.visits for row in outcomes), default=0)
    most_question_visits = max((row.visits for row in questions), default=0)
    outcome_rows = [
        {
            "row": row,
            "url": None if row.removed else reverse("admin:triage_node_change", args=[row.node_id]),
            "path": _path_text(row.reached_by),
            "bar": _bar(row.visits, most_outcome_visits),
            "deflection": _percent(row.deflection),
        }
        for row in outcomes
    ]
    question_rows = [
        {
            "row": row,
            "url": None if row.removed else reverse("admin:triage_node_change", args=[row.node_id]),
            "path": _path_text(row.reached_by),
            "bar": _bar(row.visits, most_question_visits),
            "drop_off_rate": _percent(row.drop_off_rate),
            "choices": [
                {"choice": choice, "share": _percent(choice.share), "bar": _bar(choice.taken, row.visits)}
                for choice in row.choices
            ],
        }
        for row in questions
    ]
    outcome_columns = [
        ("label", _("Outcome")),
        ("visits", _("Visits")),
        ("helpful_yes", _("Found what they were looking for")),
        ("helpful_no", _("Did not")),
        ("contact_starts", _("Contact form opened")),
        ("cases", _("Cases filed")),
        ("deflection", _("Deflection rate")),
    ]
    question_columns = [
        ("label", _("Question")),
        ("visits", _("Visits")),
        ("taken", _("Answers chosen")),
        ("drop_off", _("Left without answering")),
        ("drop_off_rate", _("Drop-off rate")),
    ]
    today = analytics.toronto_today()
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
        "outcome_headers": _headers(query, "outcomes", outcome_columns, *outcome_sort),
        "question_headers": _headers(query, "questions", question_columns, *question_sort),
        "outcome_rows": outcome_rows,
        "question_rows": question_rows,
        "outcomes_csv": _csv_link(query, "outcomes"),
        "questions_csv": _csv_link(query, "questions"),
        "flush_seconds": analytics.FLUSH_SECONDS,
    }
    return TemplateResponse(request, "admin/triage/tree/analytics.html", context)


def _csv_link(query, table):
    """The address of one table as CSV, for the period and order shown."""
    changed = query.copy()
    changed["format"], changed["table"] = "csv", table
    return f"?{changed.urlencode()}"


def _csv(tree, figures, table, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tree.slug}-{table}-{figures.start}-{figures.end}.csv"'
    writer = csv.writer(response)
    if table == "outcomes":
        writer.writerow(
            [
                _("Node ID"),
                _("Outcome"),
                _("Reached by"),
                _("Visits"),
                _("Found what they were looking for"),
                _("Did not"),
                _("Contact form opened"),
                _("Cases filed"),
                _("Deflection rate (%)"),
            ]
        )
        for row in rows:
            cells = [
                row.node_id,
                row.label,
                " › ".join(row.reached_by),
                row.visits,
                row.helpful_yes,
                row.helpful_no,
                row.contact_starts,
                row.cases,
                analytics.percent(row.deflection),
            ]
            writer.writerow([spreadsheet_safe(cell) for cell in cells])
        return response
    writer.writerow(
        [
            _("Node ID"),
            _("Question"),
            _("Reached by"),
            _("Answer"),
            _("Visits"),
            _("Times chosen"),
            _("Share of visits (%)"),
            _("Left without answering"),
            _("Drop-off rate (%)"),
        ]
    )
    for row in rows:
        path = " › ".join(row.reached_by)
        cells = [row.node_id, row.label, path, "", row.visits, row.taken, None, row.drop_off]
        writer.writerow([spreadsheet_safe(cell) for cell in [*cells, analytics.percent(row.drop_off_rate)]])
        for choice in row.choices:
            cells = [row.node_id, row.label, path, choice.label, None, choice.taken, analytics.percent(choice.share)]
            writer.writerow([spreadsheet_safe(cell) for cell in [*cells, None, None]])
    return response
