"""The service-standard report's charts, drawn on the server as SVG images.

Each is served as an image of its own (image/svg+xml) and shown with <img>: the SVG carries
its own <style>, which the site's Content-Security-Policy would refuse inline in a page, but
not inside an image. Nothing in them runs or loads anything: pygal's script and comments are
taken out, and no file or address outside the SVG is named.
"""

import pygal
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from pygal.style import Style

from helpdesk.templatetags.dates import percent

from .models import ResponseClass

# Dark enough on white for text and lines (contrast above 4.5:1); the lines also differ by dashes.
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#333333",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    font_family="Roboto, 'Segoe UI', Arial, sans-serif",
    colors=("#1f5f99", "#9c4a00", "#333333"),
    opacity=".85",
    opacity_hover=".95",
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

# The lines of each class (solid, then long dashes), then the target's (short dashes).
DASHES = ("", "14,6", "5,5")


def _without_script(root):
    """Take out every <script> and comment of the drawing."""
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag
            if callable(tag) or (isinstance(tag, str) and tag.rsplit("}", 1)[-1] == "script"):
                parent.remove(child)
    return root


def _chart(kind, **options):
    chart = kind(**_config(**options))
    chart.add_xml_filter(_without_script)
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


def on_time_chart(periods, labels, target) -> bytes:
    """Lines of the percentage of answered cases answered by their target, one per response class,
    and a dashed horizontal line at the target. A period with no case answered has no point."""
    chart = _chart(
        pygal.Line,
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
    """Bars of the number of cases received, side by side for the response classes."""
    chart = _chart(
        pygal.Bar,
        title=_("Cases received"),
        y_title=_("Number of cases"),
        print_values=True,
        print_zeroes=False,
        value_formatter=lambda value: f"{value:.0f}",
        min_scale=1,
    )
    chart.x_labels = labels
    for response_class in ResponseClass:
        chart.add(str(response_class.label), [period.classes[response_class.value].received for period in periods])
    return chart.render()
