"""Every public page type passes axe-core's WCAG 2.1 A and AA rules, and the basics hold."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import OperationalError
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import localized

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
EC_1012 = "/help/carm/questions/importer/yes/yes/error-code/ec-1012/"
CONTACT = "/contact/?tree=carm&answers=importer/yes/yes/error-code/ec-1012/"
SEND = "#contact-form button.btn-primary"
CHECK = "#status-form button.btn-primary"
OPEN_CONVERSATION = {"en": "Open your conversation", "fr": "Ouvrir votre conversation"}


def address(home, path):
    """A page's address from the site and language `home` names, in that language's words."""
    site, language = home.rsplit("/", 1)
    return site + localized(language, path)


def fill_and_send(page, home):
    page.goto(address(home, CONTACT))
    page.locator("[name=full_name]").fill("Ann Smith")
    page.locator("[name=email]").fill("ann@example.org")
    page.locator("textarea[name=description]").fill("EC-1012 when registering.")
    page.locator("[name=consent]").check()
    page.locator(SEND).click()


def look_up(page, home, reference):
    page.goto(address(home, "/status/"))
    page.locator("[name=reference]").fill(reference)
    page.locator("[name=email]").fill("ann@example.org")
    with page.expect_navigation() as navigation:
        page.locator(CHECK).click()
    return navigation.value.status


def reach(page, site, language, kind, settings, monkeypatch):
    """Open one page of the given kind in the language; return the status the browser saw."""
    home = f"{site}/{language}"
    addresses = {
        "home": "/",
        "start": "/help/carm/",
        "question": "/help/carm/questions/importer/",
        "question with error": "/help/carm/questions/importer/?continue=1",
        "outcome": EC_1012,
        "contact form": CONTACT,
        "contact form, direct": "/contact/",
        "status lookup": "/status/",
        "400": "/contact/?tree=carm&answers=importer/",
        "404": "/no/such/page/",
        "404 in the help tool": "/help/carm/questions/astronaut/",
    }
    if kind in addresses:
        return page.goto(address(home, addresses[kind])).status
    if kind == "contact form with errors":
        page.goto(address(home, "/contact/"))
        with page.expect_navigation() as navigation:
            page.locator(SEND).click()
        return navigation.value.status
    if kind == "confirmation":
        fill_and_send(page, home)
        return 200 if page.url.endswith(localized(language, "/contact/received/")) else 0
    if kind == "status result":
        fill_and_send(page, home)
        return look_up(page, home, page.locator(".reference").inner_text())
    if kind in ("conversation link", "conversation"):
        from cases.models import Case
        from cases.tokens import conversation_token

        fill_and_send(page, home)
        page.locator(".reference").wait_for()
        status = page.goto(address(home, f"/conversation/open/{conversation_token(Case.objects.latest('pk'))}/")).status
        if kind == "conversation link":
            return status
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name=OPEN_CONVERSATION[language]).click()
        return navigation.value.status
    if kind == "get a link":
        return page.goto(address(home, "/conversation/link/")).status
    if kind == "link sent":
        return page.goto(address(home, "/conversation/link/sent/")).status
    if kind == "conversation link not valid":
        return page.goto(address(home, "/conversation/open/not-a-token/")).status
    if kind == "status not found":
        return look_up(page, home, "CS-000-000-000")
    if kind == "429":
        settings.RATE_LIMITS = {"contact": "10/h", "status": "1/h"}
        look_up(page, home, "CS-000-000-000")
        return look_up(page, home, "CS-000-000-000")
    if kind == "503":

        def unavailable(*args, **kwargs):
            raise OperationalError("database is locked")

        monkeypatch.setattr("triage.views.tree_graph", unavailable)
        return page.goto(address(home, "/help/carm/questions/")).status
    raise ValueError(kind)


PAGES = {
    "home": 200,
    "start": 200,
    "question": 200,
    "question with error": 200,
    "outcome": 200,
    "contact form": 200,
    "contact form, direct": 200,
    "contact form with errors": 200,
    "confirmation": 200,
    "status lookup": 200,
    "status result": 200,
    "status not found": 200,
    "conversation link": 200,
    "conversation": 200,
    "conversation link not valid": 404,
    "get a link": 200,
    "link sent": 200,
    "400": 400,
    "404": 404,
    "404 in the help tool": 404,
    "429": 429,
    "503": 503,
}


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("kind", PAGES)
def test_page_is_accessible(site, page, shoot, settings, monkeypatch, kind, language):
    """No axe violation at WCAG 2.1 A/AA; one h1; lang set; a title naming the service; a skip link."""
    assert reach(page, site, language, kind, settings, monkeypatch) == PAGES[kind]
    shoot(kind.replace(" ", "-"))
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == language
    service = in_language(language, "CARM Client Portal support")
    if kind == "home":
        assert page.title() == service  # the service's name once, not twice
    else:
        assert page.title().endswith(f"– {service}") and len(page.title()) > 30
    assert page.locator("a.skip-link").get_attribute("href") == "#main"
    if "error" in kind:
        assert page.title().startswith(in_language(language, "Error:") + " ")
        assert page.evaluate("document.activeElement.classList.contains('error-summary')")


def test_the_404_page_outside_a_language_is_accessible_in_both(site, page, shoot):
    """No axe violation; one h1; the page in English with its French part marked lang="fr"; a skip link."""
    assert page.goto(site + "/no/such/page/").status == 404
    shoot("404-both-languages")
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.locator("h1").count() == 1 and page.locator("html").get_attribute("lang") == "en"
    french = page.locator('section[lang="fr"]')
    assert "Page introuvable" in page.locator("h1").inner_text() and french.get_by_role("link").count() == 1
    assert french.get_by_role("link").get_attribute("href") == "/fr/"
    assert page.locator("a.skip-link").get_attribute("href") == "#main"


def test_every_input_has_a_label(site, page):
    """Each visible input of the contact form is named by a label."""
    page.goto(site + "/en/contact/")
    for field in page.locator("input:not([type=hidden]), textarea, select").all():
        if field.is_visible():
            assert field.evaluate("element => element.labels.length") >= 1, field.evaluate("e => e.outerHTML")


def test_focus_is_visible(site, page):
    """The focused control shows an outline."""
    page.goto(site + "/en/help/carm/questions/")
    page.get_by_label("Importer").focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"


def test_axe_reports_a_broken_page(page):
    """The check itself works: an unlabelled input and an image without text are reported."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count >= 2
