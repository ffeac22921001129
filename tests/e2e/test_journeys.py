"""Journeys of clients and staff, in a real browser."""

import re

import pytest
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from cases.models import Case
from helpdesk.times import weekday_date
from tests.conftest import current_code, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery-staple-42"


def answer(page, label):
    page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Continue").click()


def fill_contact_form(page, **values):
    fields = {
        "Full name": "Ann Smith",
        "Email address": "ann@example.org",
        "Describe your request": "EC-1012 appears when I register my business.",
        **values,
    }
    for label, value in fields.items():
        page.get_by_label(label).fill(value)


def staff(username, group):
    """A staff member in `group`, with an authenticator app, as `manage.py enrol_totp` gives."""
    return make_staff(username, group, password=PASSWORD, authenticator=True)


def sign_in(page, site, username):
    """Sign in to the admin in the page's language: its fields by name, as each language labels them."""
    page.goto(f"{site}/admin/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    # The code the staff member's authenticator app shows now.
    page.locator("input[name=otp_token]").fill(current_code(TOTPDevice.objects.get(user__username=username)))
    page.locator("#login-form [type=submit]").click()
    expect(page.locator("#logout-form")).to_be_attached()


def test_client_walks_a_path_files_a_case_and_checks_it(site, page, shoot):
    """Importer, non-resident, error code; change an early answer; outcome; not helpful; file; check status."""
    page.goto(f"{site}/en/help/carm/")
    shoot("start")
    page.get_by_role("link", name="Start now").click()
    shoot("question")
    # Continue with nothing ticked: the problem is summarised and shown beside the options.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator(".error-summary")).to_contain_text("Select one option.")
    expect(page.locator("#answer-error")).to_contain_text("Select one option.")
    answer(page, "Importer")
    answer(page, "Yes")
    answer(page, "Yes")
    answer(page, "Error code")
    expect(page.locator("h1")).to_have_text("Please select one of the following error codes.")
    # Change the non-resident answer: the later answers no longer apply.
    page.get_by_role("link", name="Change your answer to: Are you a non-resident business?").click()
    expect(page.get_by_label("Yes", exact=True)).to_be_checked()
    answer(page, "No")
    expect(page.locator("h1")).to_have_text("Please select the issue that best describes your difficulty.")
    expect(page.locator(".your-answers dd", has_text="Error code")).to_have_count(0)
    answer(page, "Error code")
    answer(page, "EC-1012")
    expect(page.locator("h1")).to_have_text("Error code EC-1012")
    assert page.url.endswith("/en/help/carm/questions/importer/no/error-code/ec-1012/")
    shoot("outcome")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Sorry this did not answer your question.")).to_be_visible()
    page.get_by_role("link", name="Contact the helpdesk").click()
    expect(page.get_by_role("heading", name="About your request")).to_be_visible()
    shoot("contact")
    fill_contact_form(page, **{"Business number (optional)": "123 456 782"})
    page.get_by_label("I agree that the helpdesk uses this information to answer my request.").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("h1")).to_have_text("Request received")
    shoot("confirmation")
    reference = page.locator(".reference").inner_text()
    case = Case.objects.get()
    assert reference == case.display_reference and case.path[1]["answer"] == "No"
    page.get_by_role("link", name="Check a request").click()
    page.get_by_label("Reference number").fill(reference.lower().replace("-", " "))
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_role("button", name="Check status").click()
    expect(page.locator("h1")).to_have_text(f"Request {reference}")
    expect(page.get_by_text("Accessing the CARM Client Portal")).to_be_visible()
    shoot("status-result")


def test_client_fixes_mistakes_in_the_form(site, page, shoot):
    """Errors are summarised, focused, linked to their fields; fixed, the form goes through."""
    page.goto(f"{site}/en/contact/")
    page.get_by_role("button", name="Send request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    shoot("contact-errors")
    summary.get_by_role("link", name="Enter your full name.").click()
    expect(page.get_by_label("Full name")).to_be_focused()
    fill_contact_form(page, **{"Email address": "ann@", "Business number (optional)": "123456789"})
    page.get_by_role("button", name="Send request").click()
    expect(summary.get_by_role("link")).to_have_count(4)  # topic, email, business number, consent
    expect(page.get_by_label("Full name")).to_have_value("Ann Smith")
    expect(page.get_by_label("Describe your request")).to_have_value("EC-1012 appears when I register my business.")
    page.get_by_label("The Commercial Accounting Declaration (CAD)").check()
    page.get_by_label("Email address").fill("ann@example.org")
    page.get_by_label("Business number (optional)").fill("123456782RM0001")
    page.get_by_label("I agree that the helpdesk uses this information to answer my request.").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("h1")).to_have_text("Request received")
    assert Case.objects.get().business_number == "123456782RM0001"


def test_client_uses_only_the_keyboard(site, page):
    """Skip link, radios and buttons all work from the keyboard, with a visible focus."""
    page.goto(f"{site}/en/help/carm/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    def tab_to(locator, limit=30):
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                outline = locator.evaluate("element => getComputedStyle(element).outlineStyle")
                assert outline != "none", "focus is not visible"
                return
        raise AssertionError("never reached by Tab")

    tab_to(page.get_by_role("link", name="Start now"))
    page.keyboard.press("Enter")
    tab_to(page.get_by_label("Importer", exact=True))
    page.keyboard.press("ArrowDown")  # moves to and selects "Customs broker"
    expect(page.get_by_label("Customs broker")).to_be_checked()
    tab_to(page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Are you a non-resident business?")
    assert page.url.endswith("/questions/customs-broker/")


def test_staff_find_assign_answer_and_close_a_case(site, page, make_case, shoot):
    """A case reviewer finds the case by reference, assigns it, finds it among their open cases, records the
    first response, closes it; closed, it leaves the daily list but a search still finds it."""
    case = make_case()
    staff("reviewer", "Case reviewers")
    sign_in(page, site, "reviewer")
    page.goto(f"{site}/admin/cases/case/")
    page.locator("#searchbar").fill(case.display_reference.replace("-", "").lower())
    page.locator("#searchbar").press("Enter")
    shoot("case-list")
    page.locator("#result_list").get_by_role("link", name=case.display_reference).click()
    shoot("case-change")
    page.locator("#id_assigned_to").select_option(label="reviewer")
    page.locator("#id_status").select_option(label="In progress")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    # The case is now among the reviewer's open cases, one click away.
    page.goto(f"{site}/admin/cases/case/")
    page.locator(".case-views").get_by_role("link", name="My open cases").click()
    expect(page.locator(".case-views [aria-current=page]")).to_have_text("My open cases")
    expect(page.locator("#result_list").get_by_role("link", name=case.display_reference)).to_be_visible()
    # Record a response given by telephone with the action on the list.
    page.goto(f"{site}/admin/cases/case/")
    page.locator(f"input[name=_selected_action][value='{case.pk}']").check()
    page.locator("select[name=action]").select_option("record_telephone_response")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".messagelist")).to_contain_text("Response recorded on 1 case(s).")
    for status in ("Resolved", "Closed"):
        page.goto(f"{site}/admin/cases/case/{case.pk}/change/")
        page.locator("#id_status").select_option(label=status)
        page.get_by_role("button", name="Save", exact=True).click()
    case.refresh_from_db()
    assert case.status == "closed" and case.assigned_to.username == "reviewer" and case.met_standard is True
    # Closed, it leaves the daily list; a search by its reference still finds it.
    page.goto(f"{site}/admin/cases/case/")
    expect(page.locator("#changelist").get_by_role("link", name=case.display_reference)).to_have_count(0)
    page.locator("#searchbar").fill(case.display_reference)
    page.locator("#searchbar").press("Enter")
    expect(page.locator("#result_list").get_by_role("link", name=case.display_reference)).to_be_visible()
    actions = [event.description for event in case.events.all()]
    assert (
        "Status changed from Resolved to Closed" in actions
        and "First response recorded: Telephone (target met)" in actions
    )


def test_tree_editor_adds_a_choice_to_a_shared_question(site, page, carm_tree):
    """A choice added to the shared error-code question shows, once published, on every path that asks it."""
    from triage.models import Node

    staff("editor", "Tree editors")
    question = Node.objects.get(text_en="Please select one of the following error codes.")
    sign_in(page, site, "editor")
    page.goto(f"{site}/admin/triage/node/{question.pk}/change/")
    page.get_by_text("Add another Choice").click()
    row = page.locator("#choices-4")
    row.locator("input[name$=position]").fill("5")
    row.locator("input[name$=label_en]").fill("EC-2000")
    row.locator("input[name$=label_fr]").fill("EC-2000")
    row.locator("input[name$=slug]").fill("ec-2000")
    row.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill("not listed")
    page.locator(".select2-results__option", has_text="An error code not listed here").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(f"{site}/admin/triage/tree/{carm_tree.pk}/publish/")
    page.get_by_label("What changed").fill("EC-2000 added")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Release 2 is published")
    for path in (
        "importer/yes/yes/error-code/",
        "customs-broker/no/error-code/",
        "other/yes/yes/difficulty-activating-or-configuring-your-business-account/error-code/",
    ):
        page.goto(f"{site}/en/help/carm/questions/{path}")
        expect(page.get_by_label("EC-2000")).to_be_visible()


@pytest.mark.parametrize("browser_locale", ["fr-CA"])
def test_french_client_switches_language_half_way_and_files_a_case(site, page, smtp, shoot):
    """In French from /fr/, at French addresses throughout: a step toggled to English and back keeps the
    answers, the contact form toggled keeps what was typed, and the confirmation and the email (real SMTP)
    read in French."""
    from email import message_from_string, policy

    page.goto(f"{site}/")  # the browser prefers French
    assert page.url == f"{site}/fr/"
    # An address from before the French ones moves for good to its French words.
    page.goto(f"{site}/fr/help/carm/")
    assert page.url == f"{site}/fr/aide/gcra/"
    expect(page.locator("h1")).to_have_text("Obtenir de l'aide avec le portail client de la GCRA")
    page.locator(".btn-start").click()
    for label in ("Importateur", "Oui", "Oui"):
        page.get_by_label(label, exact=True).check()
        page.locator("main form button[type=submit]").click()
    french_step = page.url
    assert french_step == f"{site}/fr/aide/gcra/questions/importateur/oui/oui/"
    shoot("french-step")
    # Half-way, to English and back: the same step, the same answers, each at its own language's address.
    page.get_by_role("link", name="English").click()
    assert page.url == f"{site}/en/help/carm/questions/importer/yes/yes/"
    expect(page.locator("h1")).to_have_text("Please select the issue that best describes your difficulty.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Français").click()
    assert page.url == french_step
    expect(page.locator("h1")).to_have_text("Sélectionnez le problème qui correspond le mieux à votre situation.")
    page.get_by_label("Code d'erreur", exact=True).check()
    page.locator("main form button[type=submit]").click()
    page.get_by_label("EC-1012", exact=True).check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Code d'erreur EC-1012")
    assert page.url == f"{french_step}code-d-erreur/ec-1012/"
    page.locator(".contact a.btn-primary").click()
    assert page.url.startswith(f"{site}/fr/nous-joindre/?")
    page.locator("[name=full_name]").fill("Anne Tremblay")
    page.locator("[name=email]").fill("anne@example.org")
    page.locator("textarea[name=description]").fill("Le code EC-1012 s'affiche à l'enregistrement.")
    # The form's toggle sends what was typed to the English form, and back.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("[name=full_name]")).to_have_value("Anne Tremblay")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("textarea[name=description]")).to_have_value("Le code EC-1012 s'affiche à l'enregistrement.")
    expect(page.locator("[name=preferred_language][value=fr]")).to_be_checked()
    page.locator("[name=consent]").check()
    page.locator("#contact-form button.btn-primary").click()
    expect(page.locator(".reference")).to_be_visible()
    assert page.url == f"{site}/fr/nous-joindre/demande-recue/"
    shoot("french-confirmation")
    case = Case.objects.get()
    assert (case.language, case.preferred_language) == ("fr", "fr")
    with translation.override("fr"):
        target = f"le {weekday_date(case.due_local)} à 19 h (heure de l'Est)"  # « 1er » on the first of a month
    confirmation = page.locator("main").inner_text().replace("\u00a0", " ")
    assert target in confirmation and "Eastern" not in confirmation
    (raw,) = smtp.inbox.messages
    message = message_from_string(raw, policy=policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert case.display_reference in message["Subject"] and "We received" not in message["Subject"]
    assert message["From"].addresses[0].display_name == "Soutien de la GCRA"
    assert target in body.replace("\u00a0", " ") and "Eastern time" not in body and case.display_reference in body
    # The email's links to the site are French addresses too.
    links = re.findall(r"https?://\S+?(/fr/\S*)", body)
    assert links and not [link for link in links if re.search(r"/(contact|status|open|link|help|resolved)/", link)]
