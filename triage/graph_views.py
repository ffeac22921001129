"""Staff see a help tree as a graph beside the admin's pages: the draft or any release, drawn by
Graphviz, with its problems, an outline in text, and the drawing to download as SVG or DOT."""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from carmsupport.bilingual import current_language
from carmsupport.page_cache import kept, revision_key
from helpdesk.calendar import eastern_date

from . import analytics
from .graph import tree_dot
from .graph_outline import outline_html
from .graph_svg import GraphRenderError, GraphvizMissing, render_svg, svg_for_html
from .integrity import problems_by_node, publishing_problems, snapshot_shapes, tree_shapes, unpublishable
from .models import Release, Tree
from .releases import snapshot
from .selectors import draft_revision, release_revision
from .staff_trees import tree_for_staff

# Each format's content type, for the downloads.
FILE_TYPES = {"svg": "image/svg+xml", "dot": "text/vnd.graphviz; charset=utf-8"}
# Seconds a drawing is kept: its key names the draft's revision or the release, and its source.
CACHE_SECONDS = 24 * 60 * 60
# Seconds a failed drawing (too slow, say) is not tried again, so that reloading the page stays quick.
FAILURE_SECONDS = 10 * 60
# Each node's tooltip gives its visits in this many whole days, up to yesterday.
VISIT_DAYS = 30


@dataclass
class Shown:
    """What a graph page draws: the draft or one release, as a snapshot, with its problems."""

    tree: Tree
    release: Release | None
    snapshot: dict
    node_problems: dict  # node id -> sentences
    problems: list  # every problem, as sentences for staff

    @property
    def revision(self):
        """Names what is drawn, for the drawing kept in cache: a release never changes, the draft does at each edit."""
        return release_revision(self.release.pk) if self.release else draft_revision(self.tree)

    @property
    def file_name(self):
        part = f"release-{self.release.number}" if self.release else "draft"
        return f"{self.tree.slug}-{part}"

    @property
    def query(self):
        return f"?{urlencode({'release': self.release.number})}" if self.release else ""


def _shown(tree, number) -> Shown:
    """The draft (no number), or the release of that number."""
    if not number:
        return Shown(
            tree,
            None,
            snapshot(tree),
            problems_by_node(tree.start_id, tree_shapes(tree)),
            publishing_problems(tree),
        )
    if not str(number).isdigit():
        raise Http404
    release = get_object_or_404(Release, tree=tree, number=int(number))
    taken = release.snapshot
    shapes = snapshot_shapes(taken)
    head = taken["tree"]
    problems = unpublishable(head.get("start"), head, shapes)
    return Shown(tree, release, taken, problems_by_node(head.get("start"), shapes), problems)


def _visits(tree):
    """{node id: visits} in the VISIT_DAYS whole days up to yesterday, and those days in words.

    Whole days: the figures, and so the drawing, stay the same all day, and the drawing stays cached.
    """
    end = eastern_date() - timedelta(days=1)
    period = _("in the %(days)s days to %(day)s") % {"days": VISIT_DAYS, "day": end.isoformat()}
    return analytics.node_visits(tree.pk, end - timedelta(days=VISIT_DAYS - 1), end), period


def _dot(shown, language, node_url, visits=None):
    counts, period = visits or (None, "")
    return tree_dot(
        shown.snapshot,
        language=language,
        problem_ids=shown.node_problems,
        node_url=node_url,
        visits=counts,
        visits_period=period,
    )


def _svg(shown, dot_source) -> bytes:
    """The drawing, kept for what is drawn (shown.revision), in the language, with this source.

    A drawing that failed (too slow, say) is not tried again for FAILURE_SECONDS.
    """
    digest = hashlib.sha256(dot_source.encode()).hexdigest()[:24]
    key = revision_key("triage:graph-svg", shown.revision, digest)
    svg = kept(
        key, lambda: _drawing(dot_source), lambda svg: FAILURE_SECONDS if isinstance(svg, str) else CACHE_SECONDS
    )
    if isinstance(svg, str):
        raise GraphRenderError(svg)
    return svg


def _drawing(dot_source):
    """Graphviz's SVG, or why it failed (a text); GraphvizMissing is raised, since it may be installed at any moment."""
    try:
        return render_svg(dot_source)
    except GraphvizMissing:
        raise
    except GraphRenderError as error:
        return str(error)


def _node_change_url(key):
    return reverse("admin:triage_node_change", args=[key])


def graph_view(model_admin, request, object_id):
    """The draft (or ?release=N) drawn as a graph, its problems, and the same tree as an outline in text."""
    tree = tree_for_staff(model_admin, request, object_id)
    shown = _shown(tree, request.GET.get("release"))
    language = current_language()
    visits = _visits(tree)
    svg, render_error = None, None
    try:
        svg = svg_for_html(_svg(shown, _dot(shown, language, _node_change_url, visits)))
    except GraphRenderError as error:
        render_error = str(error)
    releases = list(tree.releases.only("pk", "number", "published_at").order_by("-number"))
    if shown.release:
        title = _("Graph of release %(number)s of “%(tree)s”") % {"number": shown.release.number, "tree": tree.title}
    else:
        title = _("Graph of the draft of “%(tree)s”") % {"tree": tree.title}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Tree._meta,
        "original": tree,
        "tree": tree,
        "title": title,
        "shown": shown,
        "releases": releases,
        "svg": svg,
        "render_error": render_error,
        "problems": shown.problems,
        "outline": outline_html(
            shown.snapshot,
            language=language,
            problem_ids=shown.node_problems,
            node_url=_node_change_url,
            visits=visits[0],
            visits_period=visits[1],
        ),
        "svg_url": reverse("admin:triage_tree_graph_file", args=[tree.pk, "svg"]) + shown.query,
        "dot_url": reverse("admin:triage_tree_graph_file", args=[tree.pk, "dot"]) + shown.query,
        "node_count": len(shown.snapshot["nodes"]),
    }
    return TemplateResponse(request, "admin/triage/tree/graph.html", context)


def graph_file_view(model_admin, request, object_id, fmt):
    """The drawing to download: `fmt` "svg" (Graphviz's drawing) or "dot" (its source), draft or ?release=N.

    Its links to the nodes' pages are whole addresses, so that they work from the saved file.
    """
    if fmt not in FILE_TYPES:
        raise Http404
    tree = tree_for_staff(model_admin, request, object_id)
    shown = _shown(tree, request.GET.get("release"))
    language = current_language()
    source = _dot(shown, language, lambda key: request.build_absolute_uri(_node_change_url(key)), _visits(tree))
    if fmt == "dot":
        content = source.encode()
    else:
        try:
            content = _svg(shown, source)
        except GraphRenderError as error:
            return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=FILE_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{shown.file_name}.{fmt}"'
    return response
