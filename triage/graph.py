"""A help tree drawn as a graph for staff: the Graphviz DOT source, with each node's problems.

Everything here reads a snapshot (see triage.releases): the draft's or a release's, the same way.
Each node is drawn once, whatever number of choices lead to it, so shared questions show as shared.
Staff write the texts: every label goes to Graphviz as a plain (never HTML-like) string, which
Graphviz escapes in its SVG (triage.graph_svg draws it); triage.graph_outline gives the same tree
as an outline in text.
"""

import textwrap
from collections.abc import Callable, Collection, Mapping

import graphviz
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carmsupport.bilingual import in_language

from .integrity import problems_by_node, snapshot_shapes
from .models import Node
from .releases import node_heading

# Characters per line of a node's text, and of a choice's label, in the drawing.
NODE_WIDTH, CHOICE_WIDTH = 30, 24
# Lines of a node's text in the drawing; the whole text is in its tooltip and in the outline.
NODE_LINES = 8
PROBLEM_COLOUR, START_COLOUR = "#b00020", "#1a4d8f"
FONT = "Helvetica,Arial,sans-serif"


def snapshot_problems(snapshot: dict) -> dict[int, list[str]]:
    """The nodes of a snapshot (a release's, or the draft's taken by releases.snapshot) that break a rule
    of triage.integrity or lack a text, each with its problems (see integrity.problems_by_node)."""
    return problems_by_node(snapshot["tree"]["start"], snapshot_shapes(snapshot))


def problem_node_ids(snapshot: dict) -> set[int]:
    """The ids of the snapshot's nodes that have a problem."""
    return set(snapshot_problems(snapshot))


def node_text(entry: dict, language: str) -> str:
    """What clients read of a node in `language` (see releases.node_heading), else "Node 7"."""
    return node_heading(entry, language) or _("Node %(id)s") % entry


def choice_label(choice: dict, language: str) -> str:
    return in_language(choice, "label", language) or choice["slug"]


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
            tooltip.append(visits_text(visits.get(key, 0), visits_period))
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


def visits_text(count: int, period: str) -> str:
    text = ngettext("%(count)s visit %(period)s", "%(count)s visits %(period)s", count)
    return text % {"count": count, "period": period}
