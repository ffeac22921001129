"""The GC signature and the Canada wordmark as a browser draws them, in both languages, on a phone and a desktop."""

import pytest

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

STEP = "/help/carm/questions/importer/yes/yes/"
WORDS = {
    "en": {
        "signature": "Government of Canada",
        "other": "/ Gouvernement du Canada",
        "wordmark": "Symbol of the Government of Canada",
        "terms": ("Terms and conditions", "https://www.canada.ca/en/transparency/terms.html"),
        "privacy": "Privacy",
        "notice": "Privacy notice",
    },
    "fr": {
        "signature": "Gouvernement du Canada",
        "other": "/ Government of Canada",
        "wordmark": "Symbole du gouvernement du Canada",
        "terms": ("Avis", "https://www.canada.ca/fr/transparence/avis.html"),
        "privacy": "Confidentialité",
        "notice": "Avis de confidentialité",
    },
}
# The signature's height (the gcds-signature tokens): 1.21875rem on phones, 2.09375rem from 64em.
HEIGHTS = {375: 19.5, 1280: 33.5}


def drawn(image):
    """The image loaded and has a size on screen."""
    return image.evaluate("i => i.complete && i.naturalWidth > 0") and image.bounding_box()["width"] > 0


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", [375, 1280])
def test_header_and_footer_carry_the_government_identity(site, page, width, language):
    """The signature tops the header in the page's language, the wordmark ends the footer, beside its links."""
    words = WORDS[language]
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site}/{language}{STEP}")

    signature = page.get_by_role("banner").get_by_role("img", name=words["signature"], exact=True)
    assert drawn(signature)
    assert signature.get_attribute("src").endswith(f"/signature-{language}.svg")
    assert signature.bounding_box()["height"] == pytest.approx(HEIGHTS[width], abs=0.5)
    other = page.locator(".gc-signature [lang]")
    assert " ".join(other.text_content().split()) == words["other"]
    assert other.get_attribute("lang") != language
    # The signature comes first in the header, above the site's name.
    assert signature.bounding_box()["y"] < page.locator(".site-name").bounding_box()["y"]

    footer = page.get_by_role("contentinfo")
    wordmark = footer.get_by_role("img", name=words["wordmark"], exact=True)
    assert drawn(wordmark)
    assert wordmark.get_attribute("src").endswith(f"/wordmark-{language}.svg")
    assert footer.locator("time").text_content().strip()
    title, href = words["terms"]
    assert footer.get_by_role("link", name=title, exact=True).get_attribute("href") == href
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("script").count() == 0

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"identity--{language}--{width}.png", full_page=True)

    footer.get_by_role("link", name=words["privacy"], exact=True).click()
    notice = page.get_by_role("heading", name=words["notice"], exact=True)
    assert notice.is_visible()
    assert page.url.endswith("#privacy-title")
