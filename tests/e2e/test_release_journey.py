"""A tree editor's edit stays a draft until published, and a rollback brings the old release back."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import browser_page
from tests.e2e.test_accessibility import WCAG_21_AA
from tests.e2e.test_journeys import sign_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL = "Please select one of the following error codes."
REWORDED = "Which error code did the portal show?"
ERROR_CODE = "/help/carm/questions/importer/yes/yes/error-code/"
PREVIEW_ERROR_CODE = "/help/carm/preview/questions/importer/yes/yes/error-code/"


@pytest.fixture
def client_page(browser, browser_locale):
    """A client's own browser: signed out, its cookies apart from the staff member's."""
    with browser_page(browser, browser_locale) as client:
        yield client


def test_tree_editor_previews_publishes_and_rolls_back_a_reworded_question(site, page, client_page, carm_tree, shoot):
    """The reworded question shows in the preview only; published, clients see it; rolled back, they
    see the old text again, while the draft keeps the new one."""
    from triage.models import Node, Tree

    staff("editor", "Tree editors")
    question = Node.objects.get(text_en=ORIGINAL)
    sign_in(page, site, "editor")

    # 1. Reword the shared question in the draft.
    page.goto(f"{site}/admin/triage/node/{question.pk}/change/")
    page.locator("#id_text_en").fill(REWORDED)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    # 2. Clients still see release 1.
    client_page.goto(f"{site}/en{ERROR_CODE}")
    expect(client_page.locator("h1")).to_have_text(ORIGINAL)

    # 3. The preview shows the draft, walked from its start page.
    page.goto(f"{site}/admin/triage/tree/{carm_tree.pk}/change/")
    page.get_by_role("link", name="Preview the draft", exact=True).click()
    assert page.url == f"{site}/en/help/carm/preview/"
    page.get_by_role("link", name="Start now").click()
    for label in ("Importer", "Yes", "Yes", "Error code"):
        page.get_by_label(label, exact=True).check()
        page.get_by_role("button", name="Continue").click()
    assert page.url == f"{site}/en{PREVIEW_ERROR_CODE}"
    expect(page.locator(".preview-banner")).to_be_visible()
    expect(page.locator(".preview-banner")).to_contain_text("Preview of the draft")
    expect(page.locator("h1")).to_have_text(REWORDED)
    results = Axe().run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    assert page.goto(f"{site}/fr{PREVIEW_ERROR_CODE}").status == 200
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".preview-banner")).to_be_visible()

    # 4. Publish the draft, having seen what it changes.
    page.goto(f"{site}/admin/triage/tree/{carm_tree.pk}/change/")
    page.get_by_role("link", name="Publish", exact=True).click()
    assert page.url == f"{site}/admin/triage/tree/{carm_tree.pk}/publish/"
    expect(page.get_by_role("heading", name="What the draft changes")).to_be_visible()
    inserted = " ".join(page.locator(".release-diff ins").all_inner_texts())
    assert "Which" in inserted and "portal" in inserted, inserted
    shoot("publish")
    page.get_by_label("What changed").fill("Clearer error-code question")
    # Reworded in English only: the page lists it, and asks that both languages be checked.
    expect(page.locator(".language-lags")).to_contain_text("French not updated since the English changed")
    page.get_by_label("I checked each of these texts in both languages").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    assert page.url == f"{site}/admin/triage/tree/{carm_tree.pk}/releases/"
    expect(page.locator(".messagelist")).to_contain_text("Release 2 is published: clients see it from their next page.")

    # 5. The client's next page is release 2.
    client_page.reload()
    expect(client_page.locator("h1")).to_have_text(REWORDED)

    # 6. Roll back to release 1 from its page.
    shoot("releases")
    page.locator("table tbody th").get_by_role("link", name="1", exact=True).click()
    assert page.url == f"{site}/admin/triage/tree/{carm_tree.pk}/releases/1/"
    page.get_by_role("button", name="Roll back to release 1").click()
    assert page.url == f"{site}/admin/triage/tree/{carm_tree.pk}/releases/"
    expect(page.locator(".messagelist")).to_contain_text(
        "Release 1 is published again as release 3. The draft is unchanged."
    )

    # 7. Clients see the original text again; the draft keeps the new one.
    client_page.reload()
    expect(client_page.locator("h1")).to_have_text(ORIGINAL)
    question.refresh_from_db()
    assert question.text_en == REWORDED
    tree = Tree.objects.select_related("current_release__restores").get(pk=carm_tree.pk)
    assert tree.current_release.number == 3
    assert tree.current_release.restores.number == 1
