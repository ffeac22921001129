"""A help tree as an outline in text, the drawing's alternative for staff (see triage.graph).

It reads a snapshot (see triage.releases), as the drawing does. Staff write the texts: the
outline is built with format_html, every text escaped.
"""

from collections.abc import Callable, Collection, Mapping

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .graph import choice_label, node_text, visits_text
from .models import Node


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
            details.append(visits_text(visits.get(key, 0), visits_period))
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
