"""The service-standard report's charts (carmsupport.charts draws them): a line or a bar per response
class, the classes told apart by colour and dashes; and the share of clients who answered Yes to "Did
we resolve your request?", every class together as a line, and each team's as small bars in its table
(cases.reports.satisfaction): a line a team would be told apart by colour alone past a few teams."""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from carmsupport.charts import LONG_DASHES, SHORT_DASHES, SOLID, Series, count_bar_chart, line_chart, table_bar
from helpdesk.models import ResponseClass
from helpdesk.templatetags.dates import percent

# The classes' lines, in their order: solid, then long dashes. The target's is short-dashed.
CLASS_DASHES = (SOLID, LONG_DASHES)


def on_time_chart(periods, labels, target) -> bytes:
    """Lines of the percentage of answered cases answered by their target, one per response class,
    and a dashed horizontal line at the target. A period with no case answered has no point."""
    classes = [
        Series(
            str(response_class.label),
            [period.classes[response_class.value].on_time_percent for period in periods],
            dashes=CLASS_DASHES[index % 2],
        )
        for index, response_class in enumerate(ResponseClass)
    ]
    target_line = Series(
        _("Target: %(target)s%%") % {"target": target}, [target] * len(periods), dashes=SHORT_DASHES, dots=False
    )
    return line_chart(
        _("Cases answered by their target, in percent"),
        _("Percentage answered on time"),
        labels,
        [*classes, target_line],
        y_range=(0, 100),
        axis_format=lambda value: percent(number_format(value)),
        point_format=lambda value: percent(number_format(value, 1)),  # as in the table
    )


def volume_chart(periods, labels) -> bytes:
    """Bars of the number of cases received, side by side for the response classes, each with its
    number above it, on an axis of whole numbers."""
    return count_bar_chart(
        _("Cases received"),
        _("Number of cases"),
        labels,
        [
            Series(str(response_class.label), [period.classes[response_class.value].received for period in periods])
            for response_class in ResponseClass
        ],
    )


def resolved_chart(periods, labels) -> bytes:
    """A line of the percentage of answers to "Did we resolve your request?" that were Yes, every class
    together. A period with no answer has no point."""
    return line_chart(
        _("Clients who answered that we resolved their request, in percent"),
        _("Percentage answered Yes"),
        labels,
        [Series(_("Answered Yes"), [period.answers.yes_percent for period in periods])],
        y_range=(0, 100),
        axis_format=lambda value: percent(number_format(value)),
        point_format=lambda value: percent(number_format(value, 1)),  # as in the table
    )


def yes_bar(answers):
    """A bar for a table's cell as long as the share of `answers` that were Yes, out of 100% (hidden
    from screen readers: the percentage beside it says the same)."""
    return table_bar(answers.yes_percent or 0, 100)
