"""Graphviz draws a help tree's DOT source (triage.graph) as SVG: run under a time limit, then made fit
to stand inside a staff page (no inline style, nothing nameless for screen readers)."""

import re
import shutil
import subprocess

import graphviz
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Seconds `dot` may take to lay a tree out before the drawing is given up (the outline still shows):
# under gunicorn's 30 seconds for a request. About 3,000 nodes take 4 seconds.
RENDER_TIMEOUT = 20


class GraphRenderError(RuntimeError):
    """Graphviz could not draw the tree; the message says why, for staff."""


class GraphvizMissing(GraphRenderError):
    """The Graphviz `dot` command is not installed on this server."""


def render_svg(dot_source: str, *, timeout: float = RENDER_TIMEOUT) -> bytes:
    """The SVG Graphviz's `dot` draws from `dot_source` (a standalone XML document).

    Raises GraphvizMissing when `dot` is not installed, GraphRenderError when it fails or takes
    longer than `timeout` seconds (then it is stopped).
    """
    executable = shutil.which(str(graphviz.backend.DOT_BINARY))
    if executable is None:
        raise GraphvizMissing(
            _("The drawing needs Graphviz, which is not installed on this server (Debian package: graphviz).")
        )
    try:
        # graphviz's own pipe() has no time limit: run the same command with one.
        done = subprocess.run(  # noqa: S603  (a fixed command; the DOT source goes to its input)
            [executable, "-Tsvg"], input=dot_source.encode(), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise GraphRenderError(
            _("Graphviz took longer than %(seconds)s seconds to draw the tree, and was stopped.") % {"seconds": timeout}
        ) from error
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip()[:500]
        raise GraphRenderError(_("Graphviz could not draw the tree: %(detail)s") % {"detail": detail})
    return done.stdout


_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*|<!DOCTYPE[^>[]*(?:\[[^\]]*\])?\s*>\s*|<!--.*?-->\s*)*", re.DOTALL)
_TAG = re.compile(r"<[^<>]*>")
_STYLE = re.compile(r"""\sstyle\s*=\s*(?:"[^"]*"|'[^']*')""")
_SIZE_IN_POINTS = re.compile(r'(\s(?:width|height)=")([0-9.]+)pt(")')


_TITLE = re.compile(r"<title>[^<]*</title>\s*")
_LINK = re.compile(r"<a\b[^>]*>|</a>")
_HREF = re.compile(r"""\s(?:xlink:)?href\s*=""")


def _without_unnamed_parts(text: str) -> str:
    """Graphviz's SVG without what screen readers would announce as nameless or meaningless: its
    <title> elements ("tree", "n1", "n1->n2", each making a group of a node or an arrow) and its
    <a> elements without an address (the arrows' tooltips), whose drawing is kept. The nodes'
    links stay, named by their tooltips."""
    text = _TITLE.sub("", text)
    kept = []

    def link(match):
        tag = match.group()
        if tag == "</a>":
            return tag if kept.pop() else ""
        kept.append(bool(_HREF.search(tag)))
        return tag if kept[-1] else ""

    return _LINK.sub(link, text)


def svg_for_html(svg: bytes) -> SafeString:
    """Graphviz's SVG, ready to go inside an HTML page: without its XML prolog and doctype, without
    style attributes (the site's Content-Security-Policy refuses inline styles), without nameless
    parts (see _without_unnamed_parts), and sized in CSS pixels rather than points (three quarters
    of the size, so that more of a large tree fits). The downloaded SVG keeps all of Graphviz's.

    Safe: Graphviz escapes every text it writes (`<` as &lt;), and the DOT source gives no
    HTML-like label (see tree_dot), so the markup is Graphviz's own.
    """
    text = _PROLOG.sub("", svg.decode("utf-8"), count=1)
    text = _TAG.sub(lambda tag: _STYLE.sub("", tag.group()), text)
    text = _without_unnamed_parts(text)
    if text.startswith("<svg"):
        end = text.index(">")
        text = _SIZE_IN_POINTS.sub(r"\1\2\3", text[:end]) + text[end:]
    return mark_safe(text.strip())  # noqa: S308  (Graphviz's own markup around escaped texts)
