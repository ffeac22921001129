"""Layout at phone, zoomed and desktop widths: labels beside their controls, header links whole."""

import re

import pytest

from tests.conftest import localized
from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = [320, 375, 640, 1280]
PAGES = {
    "question with long answers": "/help/carm/questions/importer/yes/yes/",
    "contact form": "/contact/",
}


def beside(page, selector):
    """Each control's label starts on the control's line, to its right."""
    problems = []
    for row in page.locator(selector).all():
        control = row.locator("input").first.bounding_box()
        label = row.locator("label").first.bounding_box()
        if not (label["x"] > control["x"] + control["width"] - 1 and label["y"] < control["y"] + control["height"]):
            problems.append(row.inner_text()[:60])
    return problems


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_labels_stay_beside_their_controls(site, page, name, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + localized(language, PAGES[name]))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"layout--{re.sub(r'\W+', '-', name)}--{language}--{width}.png", full_page=True)
    assert beside(page, ".radio, .form-check") == []


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [320, 375, 1280])
def test_header_links_never_break_inside(site, page, width, language):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + localized(language, "/help/carm/questions/importer/yes/yes/"))
    for link in page.locator(".site-nav a").all():
        rects = link.evaluate("element => element.getClientRects().length")
        assert rects == 1, link.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [320, 375])
def test_reference_never_breaks_inside_a_group(site, page, make_case, width):
    """On the narrowest screens the reference wraps only between its groups."""
    from django.test import Client

    page.set_viewport_size({"width": width, "height": 900})
    client = Client()
    session = client.session
    session["submitted_case"] = make_case().reference
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])
    page.goto(f"{site}/en/contact/received/")
    for group in page.locator(".reference-group").all():
        assert group.evaluate("element => element.getClientRects().length") == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
