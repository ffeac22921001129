"""The public forms from the keyboard and with a screen reader: Enter sends the form (the language toggle
before it does not), the character counter reads numbers in the page's language and speaks once typing
stops, and the error summary's links show each field with its label, on the narrowest screens too."""

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from cases.tokens import conversation_token
from tests.conftest import localized

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "fr"]
# The public pages whose language toggle sends a form: the page, the form's id, its own submit button.
FORMS = {
    "contact": ("/contact/", "contact-form", "Send request"),
    "status": ("/status/", "status-form", "Check status"),
    "conversation link": ("/conversation/link/", "link-form", "Email me a link"),
}
# Where Enter sends a form: text fields, and the radio buttons and check boxes Chromium sends it from.
ENTER_SENDS = "input:is([type=text], [type=email], [type=tel], [type=radio], [type=checkbox]):not([tabindex='-1'])"


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


def open_conversation(page, site, case, language):
    """Open the case's conversation in the browser, as its emailed link does."""
    client = Client()
    client.post(localized(language, f"/conversation/open/{conversation_token(case)}/"))
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site}])
    page.goto(site + localized(language, "/conversation/"))


def default_button(page, form_id):
    """What the browser's implicit submission (Enter in a field) presses: the form's first submit button."""
    return page.evaluate(
        """id => {
            const button = [...document.getElementById(id).elements].find(element => element.type === "submit");
            return {name: button.name, formAction: button.getAttribute("formaction")};
        }""",
        form_id,
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", FORMS)
def test_enter_in_a_field_sends_the_form(site, page, name, language):
    """Enter in any field sends the form to its own page (shown again with its errors), never to the
    other language; the hidden default button is out of the tab order and of the accessibility tree."""
    path, form_id, submit = FORMS[name]
    address = site + localized(language, path)
    page.goto(address)
    assert default_button(page, form_id) == {"name": "", "formAction": None}
    fields = page.locator(f"#{form_id}").locator(ENTER_SENDS)
    count = fields.count()
    assert count >= 2
    for index in range(count):
        page.goto(address)
        field = fields.nth(index)
        if field.get_attribute("type") in ("radio", "checkbox"):
            field.check()
        else:
            field.fill("123456782")
        with page.expect_navigation():
            field.press("Enter")
        described = field.evaluate("element => element.name")
        assert page.url == address, described
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator(".error-summary")).to_be_visible()  # sent and checked, not merely toggled
    # The hidden copy of the submit button is neither reached by Tab nor announced.
    expect(page.get_by_role("button", name=in_language(language, submit))).to_have_count(1)
    page.locator("a.skip-link").focus()
    page.keyboard.press("Tab")
    expect(page.locator(".language-toggle .link-button")).to_be_focused()


@pytest.mark.parametrize("language", LANGUAGES)
def test_toggle_still_carries_what_was_typed(site, page, language):
    """Clicked, the toggle shows the form in the other language with what was typed, and sends nothing."""
    page.goto(site + localized(language, "/status/"))
    page.locator("[name=reference]").fill("CS-7KQ")
    page.locator("[name=email]").fill("ann@example.org")
    other = "fr" if language == "en" else "en"
    page.locator(".language-toggle .link-button").click()
    assert page.url == site + localized(other, "/status/")
    expect(page.locator("[name=reference]")).to_have_value("CS-7KQ")
    expect(page.locator("[name=email]")).to_have_value("ann@example.org")
    expect(page.locator(".error-summary")).to_have_count(0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_enter_in_the_message_is_a_new_line(site, page, make_case, language):
    """The conversation's message is a text area: Enter starts a new line, and sends nothing anywhere;
    the form's default button is its own submit, should a field where Enter sends be added."""
    open_conversation(page, site, make_case(), language)
    assert default_button(page, "follow-up-form") == {"name": "", "formAction": None}
    message = page.locator("textarea[name=body]")
    message.press_sequentially("First line")
    message.press("Enter")
    message.press_sequentially("second line")
    expect(message).to_have_value("First line\nsecond line")
    assert page.url == site + localized(language, "/conversation/")
    expect(page.locator("html")).to_have_attribute("lang", language)


# 5,000 characters less three, as each language writes it: a comma in English, a no-break space in French.
FOUR_THOUSAND_997 = {"en": "4,997", "fr": "4\u00a0997"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_counter_writes_numbers_in_the_pages_language_and_speaks_once(site, page, language):
    """In an English browser, the French page counts « 4 997 », not 4,997. The count shown follows every
    key; the one screen readers hear (aria-live="polite") changes once, after typing stops."""
    page.goto(site + localized(language, "/contact/"))
    area = page.locator("textarea[name=description]")
    shown = page.locator("#id_description + p")
    spoken = page.locator("#div_id_description [aria-live=polite]")
    expect(spoken).to_have_count(1)
    expected = in_language(language, "{count} characters remaining").replace("{count}", FOUR_THOUSAND_997[language])
    spoken.evaluate(
        """region => {
            window.announced = [];
            new MutationObserver(() => window.announced.push(region.textContent))
                .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )
    area.press_sequentially("abc", delay=150)
    expect(shown).to_have_text(expected)
    assert spoken.text_content() == ""  # not while typing
    expect(spoken).to_have_text(expected, timeout=5000)
    page.wait_for_timeout(500)
    assert page.evaluate("window.announced") == [expected]
    expect(shown).to_have_attribute("aria-hidden", "true")  # heard once, from the live region alone


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_summary_links_show_the_field_with_its_label_at_320_px(site, page, language):
    """At 320 px, each link of the error summary puts the cursor in its field and shows the field's label
    (or the legend of its choices), hint and error above it, not scrolled off the top of the screen."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(site + localized(language, "/contact/"))
    page.locator("#contact-form button.btn-primary").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    for target, name in (
        ("id_topic_0", "#div_id_topic legend"),
        ("id_email", "label[for=id_email]"),
        ("id_description", "label[for=id_description]"),
    ):
        page.evaluate("window.scrollTo(0, 0)")
        summary.locator(f'a[href="#{target}"]').click()
        expect(page.locator(f"#{target}")).to_be_focused()
        expect(page.locator(name)).to_be_in_viewport(ratio=1)
        expect(page.locator(f"#{target.removesuffix('_0')}_error")).to_be_in_viewport(ratio=1)
        expect(page.locator(f"#{target}")).to_be_in_viewport()
