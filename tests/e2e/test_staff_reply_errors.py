"""A refused staff reply in a browser: the error summary takes the focus, the title says "Error:", the
summary's link leads to the field, and axe finds nothing wrong with the page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import make_staff
from tests.e2e.test_accessibility import WCAG_21_AA, in_language
from tests.e2e.test_case_list_layout import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reviewer():
    return make_staff("reviewer", "Case reviewers")


@pytest.mark.parametrize("browser_locale", ["en-CA", "fr-CA"])
def test_an_empty_reply_is_summarised_and_focused(site, page, reviewer, make_case, browser_locale):
    language = browser_locale[:2]
    case = make_case()
    signed_in(page, site, reviewer)
    page.goto(f"{site}/admin/cases/case/{case.pk}/reply/")
    expect(page.locator(".error-summary")).to_have_count(0)
    page.get_by_role("button", name=in_language(language, "Send the reply")).click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    assert page.title().startswith(in_language(language, "Error:") + " ")
    message = in_language(language, "Write the reply.")
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#reply_body")
    # The message beside the field, which names it as its description.
    body = page.get_by_role("textbox", name=in_language(language, "Reply to the client"))
    expect(body).to_have_attribute("aria-invalid", "true")
    described = body.evaluate(
        "field => field.getAttribute('aria-describedby').split(' ').map(id => document.getElementById(id).textContent)"
    )
    assert any(message in text for text in described), described
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    # The summary's link leads to the field.
    summary.get_by_role("link", name=message).click()
    assert page.url.endswith("#reply_body")
    expect(body).to_be_in_viewport()
