"""A help tree drawn as a graph for staff: Graphviz DOT source, its SVG, and an outline in text.

Everything here reads a snapshot (see triage.releases): the draft's or a release's, the same way.
Each node is drawn once, whatever number of choices lead to it, so shared questions show as shared.
Staff write the texts: every label goes to Graphviz as a plain (never HTML-like) string, which
Graphviz escapes in its SVG, and the outline is built with format_html.
"""

import re
import shutil
import subprocess
import textwrap
from collections.abc import Callable, Collection, Mapping

import graphviz
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carmsupport.bilingual import columns

from .integrity import _node_problems, _reachable, node_shape
from .models import Node

# Seconds `dot` may take to lay a tree out before the drawing is given up (the outline still shows):
# under gunicorn's 30 seconds for a request. About 3,000 nodes take 4 seconds.
RENDER_TIMEOUT = 20
# Characters per line of a node's text, and of a choice's label, in the drawing.
NODE_WIDTH, CHOICE_WIDTH = 30, 24
# Lines of a node's text in the drawing; the whole text is in its tooltip and in the outline.
NODE_LINES = 8
PROBLEM_COLOUR, START_COLOUR = "#b00020", "#1a4d8f"
FONT = "Helvetica,Arial,sans-serif"


class GraphRenderError(RuntimeError):
    """Graphviz could not draw the tree; the message says why, for staff."""


class GraphvizMissing(GraphRenderError):
    """The Graphviz `dot` command is not installed on this server."""


# Problems of each node, for the drawing.


def snapshot_shapes(snapshot: dict) -> dict:
    """The shapes (see triage.integrity) of a snapshot's nodes, keyed by node id."""
    shapes = {}
    for entry in snapshot["nodes"]:
        names = ["text", "hint"] if entry["kind"] == Node.Kind.QUESTION else ["title", "guidance"]
        texts = {column: entry.get(column) or "" for name in names for column in columns(name)}
        node = Node(pk=entry["id"], kind=entry["kind"], name=entry.get("name") or "", **texts)
        choices = [
            (
                choice["slug"],
                choice["target"],
                {column: choice.get(column) or "" for column in columns("label")},
            )
            for choice in entry.get("choices", ())
        ]
        shapes[entry["id"]] = node_shape(node, choices)
    return shapes


def problems_by_node(start, shapes: dict, *, require_both_languages: bool = True) -> dict[int, list[str]]:
    """The nodes that break a rule of triage.integrity or lack a text, each with its problems as sentences.

    The same rules as publishing: no choices, an outcome with choices or without guidance, a choice
    that leads nowhere, a node no path reaches, a loop, and (with `require_both_languages`) a text
    or a choice's label in one language only. A tree without a first question marks no node.
    """
    found: dict[int, list[str]] = {}

    def add(key, sentence):
        found.setdefault(key, []).append(sentence)

    for key, shape in shapes.items():
        for sentence in _node_problems(shape, shapes):
            add(key, sentence)
        if require_both_languages:
            for field in shape.untranslated:
                add(key, _("%(node)s: %(field)s is empty.") % {"node": shape.label, "field": field})
    if start is None or start not in shapes:
        return found
    if shapes[start].kind != Node.Kind.QUESTION:
        add(start, _("The first node of the tree, %(node)s, is not a question.") % {"node": shapes[start].label})
    for key, sentences in _loops(shapes).items():
        for sentence in sentences:
            add(key, sentence)
    reachable = _reachable(start, shapes)
    for key, shape in shapes.items():
        if key not in reachable:
            add(key, _("%(node)s cannot be reached from the first question.") % {"node": shape.label})
    return found


def snapshot_problems(snapshot: dict) -> dict[int, list[str]]:
    """problems_by_node for a snapshot (a release's, or the draft's taken by releases.snapshot)."""
    return problems_by_node(snapshot["tree"]["start"], snapshot_shapes(snapshot))


def problem_node_ids(snapshot: dict) -> set[int]:
    """The ids of the snapshot's nodes that have a problem."""
    return set(snapshot_problems(snapshot))


def _loops(shapes):
    """Every node on a loop, with the sentence (as triage.integrity words it) of the choice closing it."""
    done, found = set(), {}
    for root in shapes:
        if root in done:
            continue
        path, on_path, stack = [root], {root}, [iter(shapes[root].choices)]
        while stack:
            for slug, target in stack[-1]:
                if target not in shapes or target in done:
                    continue
                if target in on_path:
                    sentence = _('Choice "%(slug)s" of %(node)s leads back to %(target)s, making a loop.') % {
                        "slug": slug,
                        "node": shapes[path[-1]].label,
                        "target": shapes[target].label,
                    }
                    for key in path[path.index(target) :]:
                        found.setdefault(key, []).append(sentence)
                    continue
                path.append(target)
                on_path.add(target)
                stack.append(iter(shapes[target].choices))
                break
            else:
                stack.pop()
                key = path.pop()
                on_path.discard(key)
                done.add(key)
    return found


# The drawing.


def node_text(entry: dict, language: str) -> str:
    """What clients read of a node in `language`: a question's text or an outcome's title (English if none)."""
    name = "text" if entry["kind"] == Node.Kind.QUESTION else "title"
    return entry.get(f"{name}_{language}") or entry.get(f"{name}_en") or entry.get("name") or _("Node %(id)s") % entry


def choice_label(choice: dict, language: str) -> str:
    return choice.get(f"label_{language}") or choice.get("label_en") or choice["slug"]


def _dot_text(lines) -> str:
    """Lines as one DOT string, taken literally: backslashes doubled, lines centred, never HTML-like."""
    return graphviz.nohtml(r"\n".join(line.replace("\\", "\\\\") for line in lines))


def _wrapped(text: str, width: int, max_lines: int | None = None) -> list[str]:
    return textwrap.wrap(text, width, max_lines=max_lines, placeholder=" …") or [""]


def tree_dot(
    snapshot: dict,
    *,
    language: str,
    problem_ids: Collection[int] | Mapping[int, list[str]] = (),
    node_url: Callable[[int], str] | None = None,
    visits: Mapping[int, int] | None = None,
    visits_period: str = "",
) -> str:
    """The DOT source drawing a snapshot: one node per node, one arrow per choice, labelled with its answer.

    Questions are rounded boxes, outcomes notes (a box with a folded corner), the first question
    has a double border and "Start" above its text. The nodes of `problem_ids` (a mapping of id to
    sentences puts them in the node's tooltip too) have a thick red border and "⚠ Problem" above
    their text, so that colour is not the only sign. With `node_url`, each node links to node_url(id).
    With `visits` ({node id: visits}), each node's tooltip says how many visits it had in `visits_period`.
    """
    nodes = {entry["id"]: entry for entry in snapshot["nodes"]}
    start = snapshot["tree"].get("start")
    reasons = problem_ids if isinstance(problem_ids, Mapping) else dict.fromkeys(problem_ids, ())
    dot = graphviz.Digraph(name="tree")
    dot.attr("graph", rankdir="LR", nodesep="0.3", ranksep="0.5", fontname=FONT)
    dot.attr("node", fontname=FONT, fontsize="11", margin="0.15,0.08", penwidth="1", color="#4a4a4a")
    dot.attr("edge", fontname=FONT, fontsize="10", color="#555555", fontcolor="#222222", arrowsize="0.7")
    for key, entry in nodes.items():
        is_question = entry["kind"] == Node.Kind.QUESTION
        text = node_text(entry, language)
        marks = []
        if key == start:
            marks.append(_("Start"))
        if key in reasons:
            marks.append("⚠ " + _("Problem"))
        kind = _("Question") if is_question else _("Outcome")
        # The tooltip names the node's link: it says first what the node shows ("Start", "⚠ Problem").
        tooltip = [*marks, _("%(kind)s #%(id)s: %(text)s") % {"kind": kind, "id": key, "text": text}]
        if entry.get("name") and entry["name"] != text:
            tooltip.append(_("Internal name: %(name)s") % {"name": entry["name"]})
        if visits is not None:
            tooltip.append(_visits_text(visits.get(key, 0), visits_period))
        tooltip.extend("⚠ " + sentence for sentence in reasons.get(key, ()))
        attributes = {
            "shape": "box" if is_question else "note",
            "style": "rounded,filled" if is_question else "filled",
            "fillcolor": "#f3f6fa" if is_question else "#eef6ee",
        }
        if key == start:
            attributes.update(peripheries="2", color=START_COLOUR, penwidth="1.5")
        if key in reasons:
            attributes.update(color=PROBLEM_COLOUR, penwidth="3", fontcolor=PROBLEM_COLOUR)
        if node_url is not None:
            attributes["URL"] = node_url(key)
        dot.node(
            f"n{key}",
            label=_dot_text([*marks, *_wrapped(text, NODE_WIDTH, NODE_LINES)]),
            tooltip=_dot_text(tooltip),
            **attributes,
        )
    for key, entry in nodes.items():
        for position, choice in enumerate(entry.get("choices", ())):
            label = choice_label(choice, language)
            target = choice.get("target")
            if target in nodes:
                head = f"n{target}"
                tooltip = f"{label} → {node_text(nodes[target], language)}"
            else:
                # A choice that leads nowhere (or out of the tree) ends at a marker of its own.
                head = f"missing{key}_{position}"
                dot.node(
                    head,
                    label=_dot_text(["⚠ " + _("Leads nowhere")]),
                    tooltip=_dot_text([_("This choice leads to no node of this tree.")]),
                    shape="box",
                    style="dashed",
                    color=PROBLEM_COLOUR,
                    fontcolor=PROBLEM_COLOUR,
                    penwidth="2",
                )
                tooltip = f"{label} → {_('Leads nowhere')}"
            dot.edge(f"n{key}", head, label=_dot_text(_wrapped(label, CHOICE_WIDTH)), tooltip=_dot_text([tooltip]))
    return dot.source


def _visits_text(count: int, period: str) -> str:
    text = ngettext("%(count)s visit %(period)s", "%(count)s visits %(period)s", count)
    return text % {"count": count, "period": period}


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


# The text alternative.


def outline_html(
    snapshot: dict,
    *,
    language: str,
    problem_ids: Collection[int] | Mapping[int, list[str]] = (),
    node_url: Callable[[int], str],
    visits: Mapping[int, int] | None = None,
    visits_period: str = "",
) -> SafeString:
    """The tree as nested lists: each node, then each choice's label and the node it leads to.

    A node already shown is named again, with a link back to it ("see above"), rather than
    repeated, as the drawing shows shared questions once. Nodes no path reaches come after.
    Each node links to node_url(id); with `visits`, each says how many visits it had in `visits_period`.
    """
    nodes = {entry["id"]: entry for entry in snapshot["nodes"]}
    start = snapshot["tree"].get("start")
    reasons = problem_ids if isinstance(problem_ids, Mapping) else dict.fromkeys(problem_ids, ())
    shown: set[int] = set()
    parts: list[str] = []
    stack: list = []

    def line(key):
        entry = nodes[key]
        kind = _("Question") if entry["kind"] == Node.Kind.QUESTION else _("Outcome")
        details = [kind]
        if entry.get("name") and entry["name"] != node_text(entry, language):
            details.append(_("internal name: %(name)s") % {"name": entry["name"]})
        if visits is not None:
            details.append(_visits_text(visits.get(key, 0), visits_period))
        html = format_html(
            '{}<a id="outline-n{}" href="{}">{}</a> <span class="quiet">({})</span>',
            format_html("<strong>{}</strong> ", _("Start:")) if key == start else "",
            key,
            node_url(key),
            node_text(entry, language),
            ", ".join(details),
        )
        if key in reasons:
            sentences = reasons[key]
            html += format_html(
                " <strong>⚠ {}</strong>{}",
                _("Problem:") if sentences else _("Problem"),
                format_html_join("", " {}", ((sentence,) for sentence in sentences)),
            )
        return html

    def item(key, lead):
        parts.append(format_html("<li>{}", lead))
        if key not in nodes:
            parts.append(format_html("<strong>⚠ {}</strong></li>", _("Leads nowhere")))
            return
        if key in shown:
            parts.append(
                format_html(
                    '<a href="{}">{}</a> (<a href="#outline-n{}">{}</a>)</li>',
                    node_url(key),
                    node_text(nodes[key], language),
                    key,
                    _("see above"),
                )
            )
            return
        shown.add(key)
        parts.append(line(key))
        choices = nodes[key].get("choices") or []
        if choices:
            parts.append("<ul>")
            stack.extend(["</ul></li>", iter(choices)])
        else:
            parts.append("</li>")

    def walk(roots):
        parts.append('<ul class="tree-outline">')
        for root in roots:
            if root in shown:
                continue
            item(root, "")
            while stack:
                if isinstance(stack[-1], str):
                    parts.append(stack.pop())
                    continue
                choice = next(stack[-1], None)
                if choice is None:
                    stack.pop()
                    continue
                lead = format_html("{} ", _("“%(label)s” →") % {"label": choice_label(choice, language)})
                item(choice.get("target"), lead)
        parts.append("</ul>")

    if start in nodes:
        walk([start])
    else:
        parts.append(format_html("<p>{}</p>", _("The tree has no first question.")))
    rest = [key for key in nodes if key not in shown]
    if rest:
        parts.append(format_html("<h3>{}</h3>", _("Nodes no path reaches")))
        walk(rest)
    return mark_safe("".join(parts))  # noqa: S308  (every part is built by format_html)
