"""Staff-written Markdown rendered safely, for guidance pages and replies to clients alike.

One rule for all of it: raw HTML is shown as text; a link is kept only if it is an absolute
http or https address with a host, or a mailto address (anything else stays as the text
that was written); an image is shown as its alt text, so nothing is fetched from elsewhere
when the page or the email is opened.
"""

from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

# Relative and protocol-relative links are refused too: a reply is read in a mail client,
# far from the site, where they would lead nowhere or to a host the mail client chooses.
WEB_SCHEMES = {"http", "https"}


def allowed_link(url: str) -> bool:
    """Whether a link's address (normalised, entities decoded) may be a link: http(s)://host… or mailto:…"""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced [ in the host
        return False
    if parts.scheme.lower() in WEB_SCHEMES:
        return bool(parts.hostname)  # "http:host" and "https:/path" have none
    return parts.scheme.lower() == "mailto" and bool(parts.path)


def _image_as_alt_text(renderer, tokens, idx, options, env):
    return escapeHtml(renderer.renderInlineAsText(tokens[idx].children or [], options, env))


# The "js-default" preset is CommonMark with raw HTML off (and no linkify).
_markdown = MarkdownIt("js-default")
_markdown.validateLink = allowed_link
_markdown.add_render_rule("image", _image_as_alt_text)


def render_markdown(text: str) -> str:
    return _markdown.render(text or "")
