"""Every public page type passes axe-core's WCAG 2.1 A and AA rules, and the basics hold."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import OperationalError

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
EC_1012 = "/help/carm/questions/importer/yes/yes/error-code/ec-1012/"
CONTACT = "/contact/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"


def fill_and_send(page, site):
    page.goto(site + CONTACT)
    page.get_by_label("Full name").fill("Ann Smith")
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_label("Describe your request").fill("EC-1012 when registering.")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Send request").click()


def reach(page, site, kind, settings, monkeypatch):
    """Open one page of the given kind; return the status the browser saw."""
    if kind == "home":
        return page.goto(site + "/").status
    if kind == "start":
        return page.goto(site + "/help/carm/").status
    if kind == "question":
        return page.goto(site + "/help/carm/questions/importer/").status
    if kind == "question with error":
        return page.goto(site + "/help/carm/questions/importer/?answer=").status
    if kind == "outcome":
        return page.goto(site + EC_1012).status
    if kind == "contact form":
        return page.goto(site + CONTACT).status
    if kind == "contact form, direct":
        return page.goto(site + "/contact/").status
    if kind == "contact form with errors":
        page.goto(site + "/contact/")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Send request").click()
        return navigation.value.status
    if kind == "confirmation":
        fill_and_send(page, site)
        return 200 if page.url.endswith("/contact/received/") else 0
    if kind == "status lookup":
        return page.goto(site + "/status/").status
    if kind in ("status result", "status not found"):
        fill_and_send(page, site)
        reference = page.locator(".reference").inner_text() if kind == "status result" else "CS-000-000-000"
        page.goto(site + "/status/")
        page.get_by_label("Reference number").fill(reference)
        page.get_by_label("Email address").fill("ann@example.org")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Check status").click()
        return navigation.value.status
    if kind == "400":
        return page.goto(site + "/contact/?tree=carm&answers=importer/").status
    if kind == "404":
        return page.goto(site + "/no/such/page/").status
    if kind == "404 in the help tool":
        return page.goto(site + "/help/carm/questions/astronaut/").status
    if kind == "429":
        settings.RATE_LIMITS = {"contact": "10/h", "status": "1/h"}
        for _ in range(2):
            page.goto(site + "/status/")
            page.get_by_label("Reference number").fill("CS-000-000-000")
            page.get_by_label("Email address").fill("ann@example.org")
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Check status").click()
        return navigation.value.status
    if kind == "503":
        def unavailable(*args, **kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr("triage.views.tree_graph", unavailable)
        return page.goto(site + "/help/carm/questions/").status
    raise ValueError(kind)


PAGES = {
    "home": 200, "start": 200, "question": 200, "question with error": 200, "outcome": 200,
    "contact form": 200, "contact form, direct": 200, "contact form with errors": 200, "confirmation": 200,
    "status lookup": 200, "status result": 200, "status not found": 200,
    "400": 400, "404": 404, "404 in the help tool": 404, "429": 429, "503": 503,
}


@pytest.mark.parametrize("kind", PAGES)
def test_page_is_accessible(site, page, shoot, settings, monkeypatch, kind):
    """No axe violation at WCAG 2.1 A/AA; one h1; lang set; a title naming the service; a skip link."""
    assert reach(page, site, kind, settings, monkeypatch) == PAGES[kind]
    shoot(kind.replace(" ", "-"))
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.title().endswith("– CARM Client Portal support") and len(page.title()) > 30
    assert page.locator("a.skip-link").get_attribute("href") == "#main"
    if "error" in kind:
        assert page.title().startswith("Error: ")
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")


def test_every_input_has_a_label(site, page):
    """Each visible input of the contact form is named by a label."""
    page.goto(site + "/contact/")
    for field in page.locator("input:not([type=hidden]), textarea, select").all():
        if field.is_visible():
            assert field.evaluate("element => element.labels.length") >= 1, field.evaluate("e => e.outerHTML")


def test_focus_is_visible(site, page):
    """The focused control shows an outline."""
    page.goto(site + "/help/carm/questions/")
    page.get_by_label("Importer").focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_axe_reports_a_broken_page(page):
    """The check itself works: an unlabelled input and an image without text are reported."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count >= 2
