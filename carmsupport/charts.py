"""The staff pages' charts, drawn on the server: line and bar charts as SVG images (pygal), and the small
bars beside a table's figures.

A chart is served as an image of its own (image/svg+xml) and shown with <img>: the SVG carries its own
<style>, which the site's Content-Security-Policy would refuse inline in a page, but not inside an
image. Nothing in them runs or loads anything: pygal's script and comments are taken out, and no file
or address outside the SVG is named. Nothing is told by colour alone: the series' colours differ in
lightness, and lines differ by their dashes, shown in the legend too.
"""

from dataclasses import dataclass
from itertools import count
from math import ceil
from xml.etree.ElementTree import Element

import pygal
from django.utils.html import format_html
from django.utils.translation import gettext as _
from pygal.style import Style

# The series' colours, in order. Each is at least 3:1 against the white background, and the first two
# at least 3:1 against each other (dark blue, light orange), so that they differ by lightness and not
# by hue alone.
COLOURS = ("#0b2e59", "#dd6f00", "#707070")
# Lines' dashes: solid, long dashes (a second series), short dashes (a reference line, such as a target).
SOLID, LONG_DASHES, SHORT_DASHES = "", "14,6", "5,5"
# The legend's samples: wide enough to show a whole dash pattern.
LEGEND_SAMPLE = 36
# At most this many steps on an axis of whole numbers.
MOST_TICKS = 10
# Width in pixels of the longest of a table's bars.
TABLE_BAR_WIDTH = 100

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#333333",
    foreground_strong="#000000",
    foreground_subtle="#555555",
    font_family="Roboto, 'Segoe UI', Arial, sans-serif",
    colors=COLOURS,
    # Opaque, so that what is drawn has the colours' own contrast; the same under the pointer.
    **dict.fromkeys(("opacity", "opacity_hover", "stroke_opacity", "stroke_opacity_hover"), "1"),
    **dict.fromkeys(("stroke_width", "stroke_width_hover"), "3"),
    # The guides: thin solid grey lines.
    **dict.fromkeys(("guide_stroke_color", "major_guide_stroke_color"), "#cccccc"),
    **dict.fromkeys(("guide_stroke_dasharray", "major_guide_stroke_dasharray"), "1,0"),
    title_font_size=18,
    **dict.fromkeys(("label_font_size", "major_label_font_size"), 13),
    legend_font_size=14,
    value_font_size=12,
    no_data_font_size=24,
    transition="0ms",
)


@dataclass(frozen=True)
class Series:
    """One series of a chart: its name in the legend, a value a label (None: no point), and, for a
    line, its dashes and whether its points are marked."""

    name: str
    values: list
    dashes: str = SOLID
    dots: bool = True


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
                stroke=COLOURS[index % len(COLOURS)],
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


def _chart(kind, title, y_title, *filters, **options):
    chart = kind(
        title=title,
        y_title=y_title,
        style=STYLE,
        js=[],
        width=900,
        height=520,
        legend_at_bottom=True,
        legend_at_bottom_columns=1,
        x_label_rotation=30,
        truncate_legend=-1,
        truncate_label=-1,
        no_data_text=_("No data"),
        **options,
    )
    for xml_filter in (_without_script, *filters):
        chart.add_xml_filter(xml_filter)
    return chart


def whole_number_ticks(largest) -> list[int]:
    """The ticks of an axis of counts from 0 to at least `largest`: whole numbers, in at most MOST_TICKS
    steps of 1, 2 or 5 times a power of ten, so that the axis never reads "0, 0, 1, 1, 1, 2"."""
    largest = max(largest, 1)
    step = next(step for step in (m * 10**k for k in count() for m in (1, 2, 5)) if ceil(largest / step) <= MOST_TICKS)
    return list(range(0, ceil(largest / step) * step + 1, step))


def line_chart(title, y_title, labels, series, *, y_range, axis_format, point_format) -> bytes:
    """Lines over the labels, one a series, each with its dashes, drawn so in the legend too; a series
    has no point where its value is None. `axis_format` writes the axis's numbers, `point_format` the
    points'."""
    chart = _chart(
        pygal.Line,
        title,
        y_title,
        _legend_lines([line.dashes for line in series]),
        range=y_range,
        include_x_axis=True,
        allow_interruptions=True,
        value_formatter=axis_format,
        formatter=point_format,
    )
    chart.x_labels = labels
    for line in series:
        chart.add(line.name, line.values, show_dots=line.dots, stroke_style={"dasharray": line.dashes})
    return chart.render()


def count_bar_chart(title, y_title, labels, series) -> bytes:
    """Bars of counts over the labels, the series side by side, each bar with its number above it; the
    axis counts in whole numbers."""
    ticks = whole_number_ticks(max((value for bars in series for value in bars.values), default=0))
    chart = _chart(
        pygal.Bar,
        title,
        y_title,
        print_values=True,
        print_values_position="top",
        print_zeroes=False,
        value_formatter=lambda value: f"{value:.0f}",
        y_labels=ticks,
        range=(0, ticks[-1]),
    )
    chart.x_labels = labels
    for bars in series:
        chart.add(bars.name, bars.values)
    return chart.render()


def table_bar(value, largest, height=10):
    """A bar for a table's cell, as long as `value` is against the longest, `largest` (an inline SVG
    hidden from screen readers: the figure beside it says the same)."""
    # Whole pixels: an SVG attribute, never a localized number.
    width = round(TABLE_BAR_WIDTH * value / largest) if largest and value > 0 else 0
    return format_html(
        '<svg width="{}" height="{}" viewBox="0 0 {} {}" aria-hidden="true">'
        '<rect width="{}" height="{}" fill="currentColor" fill-opacity="0.6"/></svg>',
        TABLE_BAR_WIDTH,
        height,
        TABLE_BAR_WIDTH,
        height,
        width,
        height,
    )
