"""The service-standard report's charts read without colour: counts on an axis of whole numbers, the
lines told apart by their dashes, shown in the legend too, and colours that differ in lightness."""

import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from django.utils import translation

from carmsupport import charts
from cases.reports import charts as report_charts
from helpdesk.models import ResponseClass

SVG = "{http://www.w3.org/2000/svg}"
LABELS = [f"P{number}" for number in range(1, 13)]


def periods(received, on_time=None):
    """Twelve periods with the figures the charts read: `received` cases of each class in the first
    period (then none), and the percentages `on_time` ({class value: [percent of each period]})."""
    on_time = on_time or {}
    return [
        SimpleNamespace(
            classes={
                response_class.value: SimpleNamespace(
                    received=received.get(response_class.value, 0) if index == 0 else 0,
                    on_time_percent=on_time.get(response_class.value, [None] * 12)[index],
                )
                for response_class in ResponseClass
            }
        )
        for index in range(12)
    ]


def parse(svg):
    return ET.fromstring(svg)  # noqa: S314  (the site's own drawing, in a test)


def with_class(root, name, tag="g"):
    return [element for element in root.iter(f"{SVG}{tag}") if name in (element.get("class") or "").split()]


def css(root):
    return "".join(style.text or "" for style in root.iter(f"{SVG}style"))


def css_value(root, selector, prop):
    """The value `prop` takes in the chart's own rules whose selector is exactly `selector` (the last wins)."""
    values = []
    for selectors, declarations in re.findall(r"([^{}]+)\{([^{}]*)\}", css(root)):
        names = {re.sub(r"^#chart-[\w-]+\s*", "", name.strip()) for name in selectors.split(",")}
        match = re.search(rf"(?:^|;)\s*{prop}\s*:\s*([^;]+)", declarations)
        if selector in names and match:
            values.append(match[1].strip())
    assert values, f"no {prop} for {selector}"
    return values[-1]


def rgb(colour):
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]


def seen(colour, opacity, background):
    """The colour as drawn with `opacity` over `background`."""
    return [opacity * c + (1 - opacity) * b for c, b in zip(rgb(colour), rgb(background), strict=True)]


def luminance(channels):
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.fixture(params=["en", "fr"])
def language(request):
    with translation.override(request.param):
        yield request.param


@pytest.mark.parametrize("largest", [0, 1, 2, 3, 7, 11, 23, 250, 1234])
def test_volume_axis_counts_in_whole_numbers(largest, language):
    """The axis reads 0, 1, 2 (never "0, 0, 0, 1, 1, 1, 2"): distinct whole numbers from 0, reaching the largest."""
    root = parse(report_charts.volume_chart(periods({"standard": largest}), LABELS))
    (axis,) = with_class(root, "y")
    ticks = [text.text for text in axis.iter(f"{SVG}text")]
    assert all(re.fullmatch(r"\d+", tick) for tick in ticks), ticks
    numbers = [int(tick) for tick in ticks]
    assert numbers[0] == 0 and numbers == sorted(set(numbers)) and numbers[-1] >= largest
    assert 2 <= len(numbers) <= charts.MOST_TICKS + 1
    steps = {later - earlier for earlier, later in zip(numbers, numbers[1:], strict=False)}
    assert len(steps) == 1  # evenly spaced


def test_whole_number_ticks():
    assert charts.whole_number_ticks(0) == [0, 1]
    assert charts.whole_number_ticks(2) == [0, 1, 2]
    assert charts.whole_number_ticks(11) == [0, 2, 4, 6, 8, 10, 12]
    assert charts.whole_number_ticks(45) == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]
    assert charts.whole_number_ticks(101) == [0, 20, 40, 60, 80, 100, 120]


def on_time_root():
    figures = {"standard": [100, 80, 90] + [None] * 9, "financial": [50, 60, 70] + [None] * 9}
    return parse(report_charts.on_time_chart(periods({}, figures), LABELS, 90))


def test_each_line_has_its_own_dashes_and_the_legend_shows_them(language):
    """The legend draws each series as a stretch of its line, with its colour and its dashes, not a square."""
    root = on_time_root()
    legends = [g for g in root.iter(f"{SVG}g") if "activate-serie" in (g.get("class") or "")]
    assert len(legends) == 3  # the two classes and the target
    patterns = []
    for legend in legends:
        index = int(legend.get("id").rsplit("-", 1)[1])
        assert legend.find(f"{SVG}rect") is None
        (sample,) = legend.findall(f"{SVG}path")
        assert re.fullmatch(r"M[\d.]+ [\d.]+ h\d+", sample.get("d"))
        assert int(sample.get("d").rsplit("h", 1)[1]) >= 30  # long enough to show a whole pattern
        line_dashes = (
            css_value(root, f".series.serie-{index}", "stroke-dasharray") if index else sample.get("stroke-dasharray")
        )
        assert sample.get("stroke-dasharray") == line_dashes
        assert sample.get("stroke").lower() == css_value(root, f".color-{index}", "stroke").lower()
        patterns.append(sample.get("stroke-dasharray") or "solid")
    assert len(set(patterns)) == 3, patterns
    texts = ["".join(legend.itertext()) for legend in legends]
    with translation.override(language):
        assert texts[0] == str(ResponseClass.STANDARD.label) and texts[1] == str(ResponseClass.FINANCIAL.label)


@pytest.mark.parametrize("chart", ["on-time", "volume"])
def test_the_classes_colours_differ_in_lightness(chart, language):
    """The two classes' colours, as drawn (opacity included), are 3:1 against each other and against the
    background, so that they are told apart without seeing colour (WCAG 1.4.1, 1.4.11)."""
    if chart == "on-time":
        root, opacity_of = on_time_root(), "stroke-opacity"
    else:
        root, opacity_of = (
            parse(report_charts.volume_chart(periods({"standard": 3, "financial": 2}), LABELS)),
            "fill-opacity",
        )
    background = css_value(root, ".plot > .background", "fill")
    opacity = float(css_value(root, ".reactive", opacity_of))
    drawn = [seen(css_value(root, f".color-{index}", "stroke"), opacity, background) for index in (0, 1)]
    assert contrast(drawn[0], drawn[1]) >= 3
    for colour in drawn:
        assert contrast(colour, rgb(background)) >= 3
