"""The service-standard report's charts, drawn on the server as SVG images.

Each is served as an image of its own (image/svg+xml) and shown with <img>: the SVG carries
its own <style>, which the site's Content-Security-Policy would refuse inline in a page, but
not inside an image. Nothing in them runs or loads anything: pygal's script and comments are
taken out, and no file or address outside the SVG is named.
"""

from itertools import count
from math import ceil
from xml.etree.ElementTree import Element

import pygal
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pygal.style import Style

from helpdesk.models import ResponseClass
from helpdesk.templatetags.dates import percent

# The response classes' colours, then the target's. Each is at least 3:1 against the white background,
# and the two classes' at least 3:1 against each other (dark blue, light orange), so that they differ
# by lightness and not by hue alone; their lines also differ by dashes, shown in the legend.
COLOURS = ("#0b2e59", "#dd6f00", "#707070")
# The lines of each class (solid, then long dashes), then the target's (short dashes).
DASHES = ("", "14,6", "5,5")
# The legend's samples: wide enough to show a whole dash pattern.
LEGEND_SAMPLE = 36
# At most this many steps on the volume chart's axis of whole numbers.
MOST_TICKS = 10

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#333333",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    font_family="Roboto, 'Segoe UI', Arial, sans-serif",
    colors=COLOURS,
    # Opaque, so that what is drawn has the colours' own contrast.
    opacity="1",
    opacity_hover="1",
    stroke_opacity="1",
    stroke_opacity_hover="1",
    stroke_width="3",
    stroke_width_hover="3",
    guide_stroke_color="#cccccc",
    major_guide_stroke_color="#cccccc",
    guide_stroke_dasharray="1,0",
    major_guide_stroke_dasharray="1,0",
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=12,
    no_data_font_size=24,
    transition="0ms",
)


def _without_script(root):
    """Take out every <script> and comment of the drawing."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag
            if callable(tag) or (isinstance(tag, str) and tag.rsplit("}", 1)[-1] == "script"):
                parent.remove(child)
    return root


def _legend_lines(dashes):
    """A filter drawing each series' legend sample as a stretch of its line, LEGEND_SAMPLE wide, with
    its dashes (`dashes`, in the series' order), rather than pygal's square of its colour."""

    def draw(root):
        for legend in root.iter("g"):
            square = legend.find("rect")
            if "activate-serie" not in (legend.get("class") or "") or square is None:
                continue
            index = int(legend.get("id").rsplit("-", 1)[1])
            x, y, size = (float(square.get(name)) for name in ("x", "y", "height"))
            line = Element(
                "path",
                d=f"M{x:g} {y + size / 2:g} h{LEGEND_SAMPLE}",
                fill="none",
                stroke=COLOURS[index],
                **{"stroke-width": "3", "class": "legend-line"},
            )
            if dashes[index]:
                line.set("stroke-dasharray", dashes[index])
            legend.insert(list(legend).index(square), line)
            legend.remove(square)
            for text in legend.iter("text"):  # after the line rather than the square
                text.set("x", f"{float(text.get('x')) + LEGEND_SAMPLE - size:g}")
        return root

    return draw


def _chart(kind, *filters, **options):
    chart = kind(**_config(**options))
    for xml_filter in (_without_script, *filters):
        chart.add_xml_filter(xml_filter)
    return chart


def _config(**options):
    return {
        "style": STYLE,
        "js": [],
        "width": 900,
        "height": 520,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "x_label_rotation": 30,
        "truncate_legend": -1,
        "truncate_label": -1,
        "no_data_text": _("No data"),
        **options,
    }


def whole_number_ticks(largest) -> list[int]:
    """The ticks of an axis of counts from 0 to at least `largest`: whole numbers, in at most MOST_TICKS
    steps of 1, 2 or 5 times a power of ten, so that the axis never reads "0, 0, 1, 1, 1, 2"."""
    largest = max(largest, 1)
    step = next(step for step in (m * 10**k for k in count() for m in (1, 2, 5)) if ceil(largest / step) <= MOST_TICKS)
    return list(range(0, ceil(largest / step) * step + 1, step))


def on_time_chart(periods, labels, target) -> bytes:
    """Lines of the percentage of answered cases answered by their target, one per response class,
    and a dashed horizontal line at the target. A period with no case answered has no point."""
    chart = _chart(
        pygal.Line,
        _legend_lines(DASHES),
        title=_("Cases answered by their target, in percent"),
        y_title=_("Percentage answered on time"),
        range=(0, 100),
        include_x_axis=True,
        allow_interruptions=True,
        value_formatter=lambda value: percent(number_format(value)),  # the axis
        formatter=lambda value: percent(number_format(value, 1)),  # the points, as in the table
    )
    chart.x_labels = labels
    for index, response_class in enumerate(ResponseClass):
        chart.add(
            str(response_class.label),
            [period.classes[response_class.value].on_time_percent for period in periods],
            stroke_style={"dasharray": DASHES[index % 2]},
        )
    chart.add(
        _("Target: %(target)s%%") % {"target": target},
        [target] * len(periods),
        show_dots=False,
        stroke_style={"dasharray": DASHES[2]},
    )
    return chart.render()


def volume_chart(periods, labels) -> bytes:
    """Bars of the number of cases received, side by side for the response classes, each with its
    number above it; the axis counts in whole numbers."""
    received = {
        response_class: [period.classes[response_class.value].received for period in periods]
        for response_class in ResponseClass
    }
    ticks = whole_number_ticks(max((count for counts in received.values() for count in counts), default=0))
    chart = _chart(
        pygal.Bar,
        title=_("Cases received"),
        y_title=_("Number of cases"),
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        value_formatter=lambda value: f"{value:.0f}",
        y_labels=ticks,
        range=(0, ticks[-1]),
    )
    chart.x_labels = labels
    for response_class, counts in received.items():
        chart.add(str(response_class.label), counts)
    return chart.render()
