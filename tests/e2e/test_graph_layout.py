"""The tree's graph in a browser: at 1280 pixels only the drawing scrolls sideways, in a region the
keyboard can reach; at 320 pixels the release list fits; axe finds nothing wrong with the page."""

import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import make_staff
from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_accessibility import WCAG_21_AA, in_language
from tests.e2e.test_case_list_layout import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor():
    return make_staff("editor", "Tree editors")


def open_graph(page, site, editor, tree, width):
    page.set_viewport_size({"width": width, "height": 900})
    signed_in(page, site, editor)
    page.goto(f"{site}/admin/triage/tree/{tree.pk}/graph/")


@pytest.mark.parametrize("browser_locale", ["en-CA", "fr-CA"])
def test_only_the_drawing_scrolls_at_1280_pixels(site, page, editor, carm_tree, browser_locale):
    open_graph(page, site, editor, carm_tree, 1280)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"layout--tree-graph--{browser_locale}--1280.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    region = page.get_by_role("region", name=in_language(browser_locale[:2], "Drawing"), exact=True)
    expect(region).to_have_count(1)
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    drawing_width = region.locator("svg").evaluate("svg => svg.getBoundingClientRect().width")
    assert drawing_width > 1280  # the CARM tree is wider than the window
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    # The keyboard reaches the region and scrolls it.
    region.focus()
    expect(region).to_be_focused()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("End")
    for _press in range(5):
        page.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function evaluates a string, which the page's CSP (no unsafe-eval) refuses.
    deadline = time.monotonic() + 5
    while region.evaluate("element => element.scrollLeft") == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert region.evaluate("element => element.scrollLeft") > 0
    assert page.evaluate("window.scrollX") == 0


@pytest.mark.parametrize("browser_locale", ["en-CA", "fr-CA"])
def test_release_list_fits_320_pixels(site, page, editor, carm_tree, browser_locale):
    open_graph(page, site, editor, carm_tree, 320)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"layout--tree-graph--{browser_locale}--320.png", full_page=True)
    choice = page.locator("#graph-release").bounding_box()
    assert choice["x"] >= 0 and choice["x"] + choice["width"] <= 320
    region = page.locator(".tree-graph").bounding_box()
    assert region["x"] >= 0 and region["x"] + region["width"] <= 320


@pytest.mark.parametrize("browser_locale", ["en-CA", "fr-CA"])
def test_drawing_passes_axe(site, page, editor, carm_tree, browser_locale):
    """The whole page, its drawing in a named, focusable scrolling region without nameless links or groups."""
    open_graph(page, site, editor, carm_tree, 1280)
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    links = page.locator(".tree-graph a")
    assert links.count() > 50
    assert links.evaluate_all("links => links.filter(a => !a.hasAttribute('xlink:href')).length") == 0
    expect(page.locator(".tree-graph title")).to_have_count(0)
