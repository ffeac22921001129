"""Staff Markdown, one rule for guidance pages and replies: links to web and mail addresses only,
no images fetched from elsewhere, raw HTML shown as text."""

import pytest

from triage.guidance import render_markdown


@pytest.mark.parametrize(
    "markdown",
    [
        "[Verify your account](http:evil.example)",
        "[Verify your account](https:evil.example/login)",
        "[Verify your account](https:/evil.example/login)",
        "[Open the invoice](search-ms:query=invoice&crumb=location:%5C%5Cevil.example%5Cshare)",
        "[Open the form](ms-word:ofe|u|https://evil.example/form.docx)",
        "[Sign in](//evil.example/login)",
        "[Contact us](/en/contact/)",
        "[Contact us](contact/)",
        "[Top](#top)",
        "[Run](javascript:alert(1))",
        "[Run](jav&#x61;script:alert(1))",
        "[Verify](h&#116;tp:evil.example)",
        "[Verify](<http:evil.example>)",
        "<http:evil.example>",
        "<search-ms:query=invoice>",
        "[Verify][account]\n\n[account]: http:evil.example",
        "[Write](mailto:)",
    ],
)
def test_links_other_than_web_and_mail_addresses_stay_text(markdown):
    html = render_markdown(markdown)
    assert "<a" not in html and "href" not in html


@pytest.mark.parametrize(
    ("markdown", "link"),
    [
        ("[the portal](https://example.org/carm)", '<a href="https://example.org/carm">the portal</a>'),
        ("[the portal](HTTP://Example.org)", '<a href="HTTP://Example.org">the portal</a>'),
        ("<https://example.org/carm>", '<a href="https://example.org/carm">https://example.org/carm</a>'),
        ("[write to us](mailto:help@example.org)", '<a href="mailto:help@example.org">write to us</a>'),
        ("<help@example.org>", '<a href="mailto:help@example.org">help@example.org</a>'),
        ("[the portal][carm]\n\n[carm]: https://example.org/carm", '<a href="https://example.org/carm">the portal</a>'),
    ],
)
def test_links_to_web_and_mail_addresses_are_kept(markdown, link):
    assert link in render_markdown(markdown)


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("![Screenshot of *the* page](https://evil.example/pixel.png)", "<p>Screenshot of the page</p>\n"),
        ("Hello![](https://evil.example/pixel.gif)", "<p>Hello</p>\n"),
        ("![<script>x()</script>](https://evil.example/p.png)", "<p>&lt;script&gt;x()&lt;/script&gt;</p>\n"),
        (
            "[![Logo](https://evil.example/logo.png)](https://example.org)",
            '<p><a href="https://example.org">Logo</a></p>\n',
        ),
        ("![a](/static/a.png) ![b][b]\n\n[b]: https://evil.example/b.png", "<p>![a](/static/a.png) b</p>\n"),
    ],
)
def test_images_are_shown_as_their_alt_text(markdown, html):
    """Nothing is fetched from elsewhere when a page or an email is opened."""
    assert render_markdown(markdown) == html


def test_raw_html_is_shown_as_text():
    assert render_markdown('<img src="https://evil.example/p.png"> <b>x</b>') == (
        "<p>&lt;img src=&quot;https://evil.example/p.png&quot;&gt; &lt;b&gt;x&lt;/b&gt;</p>\n"
    )
