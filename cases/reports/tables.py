"""The service-standard report's tables, each column declared once (carmsupport.tables): its header, the
figure the CSV file holds, and how the page shows it (in the language's formats, "none answered")."""

from dataclasses import dataclass, replace

from django.template.defaultfilters import floatformat
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from carmsupport.tables import Column, csv_response, page_table
from helpdesk.models import ResponseClass
from helpdesk.templatetags.dates import percent
from helpdesk.times import date_words

from . import service_standard as reports


@dataclass(frozen=True)
class Line:
    """A row of the report: a period, and in a table of one response class, that class's figures."""

    period: reports.Period
    target: int
    response_class: str = ""  # the class's name
    figures: reports.Figures | None = None

    def of_class(self, value, label):
        return replace(self, response_class=label, figures=self.period.classes[value])

    @property
    def met(self):
        return self.figures.target_met(self.target)


def period_label(period, short=False):
    """The period's name: "January 2026", or "Week 2026-W05: 26 January 2026 to 1 February 2026".

    Short, for the charts' axes: "Jan 2026", or the week's Monday, "26 Jan 2026".
    """
    if period.kind == reports.MONTH:
        label = date_words(period.first, "M Y" if short else "F Y")
    elif short:
        label = date_words(period.first, "j M Y")
    else:
        label = _("Week %(week)s: %(first)s to %(last)s") % {
            "week": period.iso_week,
            "first": date_words(period.first, "j F Y"),
            "last": date_words(period.last, "j F Y"),
        }
    if not period.complete and not short:
        label = _("%(period)s (so far)") % {"period": label}
    return label


def period_name(period):
    """The period as the files name it: "2026-12", or "2026-W53"."""
    return period.iso_week if period.kind == reports.WEEK else f"{period.first:%Y-%m}"


def _number(value, decimals):
    return "" if value is None else f"{value:.{decimals}f}"


def _shown(value, decimals, unit=str):
    return _("none answered") if value is None else unit(floatformat(value, decimals))


def _figure(attribute, header, file_header=None, decimals=None, unit=str):
    """A column of one class's figure: a count, or (with `decimals`) a number that may be missing."""
    if decimals is None:
        return Column(header, lambda line: getattr(line.figures, attribute), file_header=file_header)
    return Column(
        header,
        lambda line: _number(getattr(line.figures, attribute), decimals),
        shown=lambda line: _shown(getattr(line.figures, attribute), decimals, unit),
        file_header=file_header,
    )


def _against_target():
    return _("Against the %(target)s%% target") % {"target": reports.target_percent()}


PERIOD = Column(gettext_lazy("Period"), lambda line: period_name(line.period))
FIRST_DAY = Column(gettext_lazy("First day"), lambda line: line.period.first.isoformat())
LAST_DAY = Column(gettext_lazy("Last day"), lambda line: line.period.last.isoformat())
RESPONSE_CLASS = Column(gettext_lazy("Response class"), lambda line: line.response_class)
RECEIVED = _figure("received", pgettext_lazy("number of cases", "Received"))
ON_TIME = _figure("on_time", gettext_lazy("Answered on time"))
LATE = _figure("late", gettext_lazy("Answered late"))
OPEN_OVERDUE = _figure("open_overdue", gettext_lazy("Waiting past the target"))
OPEN_WITHIN = _figure("open_within", gettext_lazy("Waiting within the target"))
CLOSED_UNANSWERED = _figure("closed_unanswered", gettext_lazy("Closed without a response"))
ON_TIME_PERCENT = _figure("on_time_percent", gettext_lazy("Percentage answered on time"), decimals=1, unit=percent)
TARGET = Column(
    gettext_lazy("Target"),
    lambda line: line.target,
    shown=lambda line: percent(line.target),
    file_header=gettext_lazy("Target (percentage)"),
)
TARGET_MET = Column(
    lazy(_against_target, str)(),
    lambda line: {True: _("Met"), False: _("Missed"), None: ""}[line.met],
    shown=lambda line: {
        True: _("Met"),
        False: format_html("<strong>{}</strong>", _("Missed")),
        None: _("none answered"),
    }[line.met],
    file_header=gettext_lazy("Target met"),
)
MEDIAN = _figure("median_days", gettext_lazy("Median business days to the first response"), decimals=2)
P90 = _figure("p90_days", gettext_lazy("90th percentile business days to the first response"), decimals=2)
FOLLOW_UPS = _figure("follow_ups", gettext_lazy("Follow-ups received"))
FOLLOW_UPS_ANSWERED = _figure(
    "follow_ups_answered", gettext_lazy("Answered"), file_header=gettext_lazy("Follow-ups answered")
)
FOLLOW_UPS_ON_TIME = _figure(
    "follow_ups_on_time", gettext_lazy("Answered on time"), file_header=gettext_lazy("Follow-ups answered on time")
)
FOLLOW_UPS_LATE = _figure("follow_ups_late", gettext_lazy("Answered late"))
FOLLOW_UP_MEDIAN = _figure(
    "follow_up_median_days",
    gettext_lazy("Median business days to the answer"),
    file_header=gettext_lazy("Median business days to answer a follow-up"),
    decimals=2,
)
FOLLOW_UP_P90 = _figure(
    "follow_up_p90_days",
    gettext_lazy("90th percentile business days to the answer"),
    file_header=gettext_lazy("90th percentile business days to answer a follow-up"),
    decimals=2,
)


def _answers(line):
    """The answers to "Did we resolve your request?": the line's class's, or in a table of a row a period,
    every class's together."""
    return line.figures.answers if line.figures is not None else line.period.answers


ANSWERS = Column(
    gettext_lazy("Answers"),
    lambda line: _answers(line).count,
    file_header=gettext_lazy("Answers to “Did we resolve your request?”"),
)
ANSWERS_YES = Column(gettext_lazy("Yes"), lambda line: _answers(line).yes, file_header=gettext_lazy("Answered Yes"))
ANSWERS_NO = Column(gettext_lazy("No"), lambda line: _answers(line).no, file_header=gettext_lazy("Answered No"))
YES_PERCENT = Column(
    gettext_lazy("Percentage Yes"),
    lambda line: _number(_answers(line).yes_percent, 1),
    shown=lambda line: (
        _("no answers") if _answers(line).count == 0 else percent(floatformat(_answers(line).yes_percent, 1))
    ),
    file_header=gettext_lazy("Percentage answered Yes"),
)
RESOLVED_ANSWERS = [ANSWERS, ANSWERS_YES, ANSWERS_NO, YES_PERCENT]

# The first responses' figures: the counts, then the percentage on time, the target met or missed, the times.
COUNTS = [RECEIVED, ON_TIME, LATE, OPEN_OVERDUE, OPEN_WITHIN, CLOSED_UNANSWERED]
TIMES = [MEDIAN, P90]
FIRST_RESPONSES = [*COUNTS, ON_TIME_PERCENT, TARGET_MET, *TIMES]
FOLLOW_UP_TABLE = [
    FOLLOW_UPS,
    FOLLOW_UPS_ANSWERED,
    FOLLOW_UPS_ON_TIME,
    FOLLOW_UPS_LATE,
    FOLLOW_UP_MEDIAN,
    FOLLOW_UP_P90,
]
PERIOD_COLUMNS = [PERIOD, FIRST_DAY, LAST_DAY]
# The file: a line a period and class, its first responses (and the target beside the percentage), then
# its follow-ups (those answered late are the answered less those on time), then the answers to "Did we
# resolve your request?" given in the period about its cases (the No are the answers less the Yes).
ALL_FIGURES = [
    *PERIOD_COLUMNS,
    RESPONSE_CLASS,
    *COUNTS,
    ON_TIME_PERCENT,
    TARGET,
    TARGET_MET,
    *TIMES,
    *(column for column in FOLLOW_UP_TABLE if column is not FOLLOW_UPS_LATE),
    *(column for column in RESOLVED_ANSWERS if column is not ANSWERS_NO),
]


def response_classes():
    """(value, name) of each response class, named in the language of the moment."""
    return [(value, str(ResponseClass(value).label)) for value in ResponseClass.values]


def _of_class(column, value, label, file_header):
    """`column` for one response class, in a table of a row a period: headed by the class's name."""
    return Column(
        label,
        lambda line: column.value(line.of_class(value, label)),
        shown=lambda line: column.cell(line.of_class(value, label)),
        file_header=file_header,
    )


def chart_columns(chart):
    """The columns of a chart's figures: one a response class, and the target beside the percentages;
    for the answers to "Did we resolve your request?", those of every class together."""
    if chart == "resolved":
        return RESOLVED_ANSWERS
    if chart == "on-time":
        return [
            *(
                _of_class(ON_TIME_PERCENT, value, label, _("%(class)s: percentage answered on time") % {"class": label})
                for value, label in response_classes()
            ),
            TARGET,
        ]
    return [
        _of_class(RECEIVED, value, label, _("%(class)s: received") % {"class": label})
        for value, label in response_classes()
    ]


def _label(line):
    return period_label(line.period)


def _section(lines, value, label):
    """A response class's tables: its first responses and its follow-ups, a row a period."""
    lines = [line.of_class(value, label) for line in lines]
    return {
        "value": value,
        "label": label,
        "first_responses": page_table(FIRST_RESPONSES, lines, _label),
        "follow_ups": page_table(FOLLOW_UP_TABLE, lines, _label),
    }


def page_tables(periods, target):
    """The page's tables: each response class's, then the figures of each chart."""
    lines = [Line(period, target) for period in periods]
    return {
        "sections": [_section(lines, value, label) for value, label in response_classes()],
        "on_time": page_table(chart_columns("on-time"), lines, _label),
        "volume": page_table(chart_columns("volume"), lines, _label),
        "resolved": page_table(chart_columns("resolved"), lines, _label),
    }


def figures_csv(periods, by, chart, target):
    """The figures as a CSV file: a row a period and response class, or with `chart`, that chart's
    figures, a row a period."""
    name = f"service-standard-{chart or 'figures'}-by-{by}-{periods[0].first:%Y-%m-%d}-to-{periods[-1].last:%Y-%m-%d}"
    if chart:
        columns, lines = [*PERIOD_COLUMNS, *chart_columns(chart)], [Line(period, target) for period in periods]
    else:
        classes = response_classes()
        columns = ALL_FIGURES
        lines = [Line(period, target).of_class(value, label) for period in periods for value, label in classes]
    return csv_response(f"{name}.csv", columns, lines)
