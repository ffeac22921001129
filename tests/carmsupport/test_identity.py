"""Every public page carries the Government of Canada's identity: signature, wordmark, Canada.ca links."""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.conftest import localized

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STEP = "/help/carm/questions/importer/yes/yes/difficulty-activating-or-configuring-your-business-account/error-code/"
PAGES = ["/", "/help/carm/", STEP, "/contact/", "/status/", "/no-such-page/"]
IDENTITY = {
    "en": {
        "signature": ("gcds/signature-en.svg", "Government of Canada"),
        "other": ("fr", "/ Gouvernement du Canada"),
        "wordmark": ("gcds/wordmark-en.svg", "Symbol of the Government of Canada"),
        "terms": ("Terms and conditions", "https://www.canada.ca/en/transparency/terms.html"),
        "privacy": "Privacy",
    },
    "fr": {
        "signature": ("gcds/signature-fr.svg", "Gouvernement du Canada"),
        "other": ("en", "/ Government of Canada"),
        "wordmark": ("gcds/wordmark-fr.svg", "Symbole du gouvernement du Canada"),
        "terms": ("Avis", "https://www.canada.ca/fr/transparence/avis.html"),
        "privacy": "Confidentialité",
    },
}


class Landmarks(HTMLParser):
    """The header's and the footer's images, links and language-tagged spans, and the page's assets."""

    def __init__(self):
        super().__init__()
        self.region, self.link, self.span = None, None, None
        self.found = {"header": {"img": [], "a": [], "span": []}, "footer": {"img": [], "a": [], "span": []}}
        self.assets, self.scripts = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("header", "footer"):
            self.region = tag
        elif tag == "script":
            self.scripts += 1
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        elif tag == "img":
            self.assets.append(attrs["src"])
        if self.region and tag == "img":
            self.found[self.region]["img"].append((attrs["src"], attrs.get("alt")))
        elif self.region and tag == "a":
            self.link = [attrs.get("href"), ""]
        elif self.region and tag == "span" and attrs.get("lang"):
            self.span = [attrs["lang"], ""]

    def handle_data(self, data):
        for open_element in (self.link, self.span):
            if open_element is not None:
                open_element[1] += data

    def handle_endtag(self, tag):
        if tag in ("header", "footer"):
            self.region = None
        elif tag == "a" and self.link is not None:
            self.found[self.region]["a"].append((self.link[1].strip(), self.link[0]))
            self.link = None
        elif tag == "span" and self.span is not None:
            self.found[self.region]["span"].append((self.span[0], " ".join(self.span[1].split())))
            self.span = None


def landmarks(client, address):
    response = client.get(address, follow=True)
    parser = Landmarks()
    parser.feed(response.content.decode())
    return parser


def static_path(url):
    """The file a static URL serves, from the source tree."""
    found = finders.find(url.split(settings.STATIC_URL, 1)[1])
    assert found, url
    return Path(found)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("page", PAGES)
def test_header_shows_the_signature_in_the_page_language(client, carm_tree, language, page):
    """The header's signature is the page language's version, its words as its text alternative."""
    header = landmarks(client, f"/{language}{page}").found["header"]
    source, alt = IDENTITY[language]["signature"]
    signatures = [(src, text) for src, text in header["img"] if "signature" in src]
    assert len(signatures) == 1
    assert signatures[0][0].endswith(source) and signatures[0][1] == alt
    assert IDENTITY[language]["other"] in header["span"]


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("page", PAGES)
def test_footer_shows_the_wordmark_and_the_canada_ca_links(client, carm_tree, language, page):
    """The footer keeps the date modified, links the terms and the privacy notice, and shows the wordmark."""
    parser = landmarks(client, f"/{language}{page}")
    footer = parser.found["footer"]
    source, alt = IDENTITY[language]["wordmark"]
    assert [(src, text) for src, text in footer["img"] if src.endswith(source)] == [(footer["img"][0][0], alt)]
    links = dict(footer["a"])
    title, href = IDENTITY[language]["terms"]
    assert links[title] == href
    privacy = links[IDENTITY[language]["privacy"]]
    address, anchor = privacy.split("#")
    notice = client.get(address, follow=True).content.decode()
    assert f'id="{anchor}"' in notice
    assert "</time>" in client.get(f"/{language}{page}", follow=True).content.decode()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_identity_images_are_served_and_say_what_they_show(client, language):
    """The SVGs are in static/, in colour, their titles in the page's language, their licence beside them."""
    for kind in ("signature", "wordmark"):
        source, alt = IDENTITY[language][kind]
        svg = static_path(settings.STATIC_URL + source).read_text()
        assert f">{alt.lower()}</title>" in svg.lower()  # the package capitalizes « Gouvernement »
        assert ".fip_flag{fill:#eb2d37}" in svg
        assert "<script" not in svg
    licence = (ROOT / "static" / "gcds" / "LICENSE").read_text()
    assert "@cdssnc/gcds-components@" in licence and "MIT License" in licence


def test_copied_assets_are_the_pinned_versions():
    """The copied tokens and licence name the versions the refresh script pins."""
    script = (ROOT / "scripts" / "gcds-assets").read_text()
    versions = dict(re.findall(r'"(@cdssnc/gcds-[a-z]+)",\s*"([\d.]+)"', script))
    licence = (ROOT / "static" / "gcds" / "LICENSE").read_text()
    tokens = (ROOT / "static" / "css" / "gcds-tokens.css").read_text()
    assert set(versions) == {"@cdssnc/gcds-components", "@cdssnc/gcds-tokens"}
    for name, version in versions.items():
        assert f"{name}@{version}" in licence
    assert f"@cdssnc/gcds-tokens@{versions['@cdssnc/gcds-tokens']}" in tokens


def test_site_css_takes_its_colours_from_the_tokens():
    """The public stylesheet names no colour of its own: every colour is a GC Design System token."""
    css = (ROOT / "static" / "css" / "site.css").read_text()
    tokens = (ROOT / "static" / "css" / "gcds-tokens.css").read_text()
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", css) == []
    depth = 0  # a stray brace would drop the rules after it
    for brace in re.findall(r"[{}]", re.sub(r"/\*.*?\*/", "", css, flags=re.S)):
        depth += 1 if brace == "{" else -1
        assert depth >= 0
    assert depth == 0
    used = set(re.findall(r"var\((--[\w-]+)\)", css))
    assert used and all(name.startswith("--gcds-") for name in used)
    assert [name for name in used if f"{name}:" not in tokens] == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_step_page_stays_light_and_without_script(client, carm_tree, language):
    """A question step with its stylesheets and images is well under 50 KB gzipped, and runs no script."""
    parser = landmarks(client, f"/{language}{STEP}")
    html = client.get(f"/{language}{STEP}", follow=True).content
    weight = len(gzip.compress(html))
    assert any("gcds-tokens.css" in asset for asset in parser.assets)
    for asset in set(parser.assets):
        weight += len(gzip.compress(static_path(asset).read_bytes()))
    assert parser.scripts == 0
    assert weight < 40 * 1024, weight


@pytest.mark.parametrize("language", ["en", "fr"])
def test_server_error_page_carries_the_identity_too(client, carm_tree, monkeypatch, language):
    """The 500 page, drawn without the request's context, still shows the signature and the wordmark."""
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr("triage.views.tree_graph", broken)
    response = client.get(localized(language, "/help/carm/questions/"))
    assert response.status_code == 500
    parser = Landmarks()
    parser.feed(response.content.decode())
    images = parser.found["header"]["img"] + parser.found["footer"]["img"]
    signature, wordmark = IDENTITY[language]["signature"], IDENTITY[language]["wordmark"]
    assert [(src.split(settings.STATIC_URL)[1], alt) for src, alt in images] == [signature, wordmark]
    assert parser.scripts == 0
