"""The tree's graph for screen readers: the drawing inline holds only named links, in a labelled scrolling
region, and its outline refers back to nodes by their texts in the page's language."""

import html
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.triage.test_graph import ERROR_CODES, drawing_of, file_url, graph_url, node_url, question
from triage.graph import tree_dot
from triage.models import Node
from triage.releases import snapshot

SVG = "{http://www.w3.org/2000/svg}"
HREF = "{http://www.w3.org/1999/xlink}href"
NAME = "{http://www.w3.org/1999/xlink}title"

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (Debian: graphviz)")


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


def words(text):
    return " ".join(text.split())


@pytest.fixture(params=["en", "fr"])
def language(request):
    return request.param


def graph_page(admin_client, tree, language):
    return admin_client.get(graph_url(tree), headers={"accept-language": language}).content.decode()


def test_inline_drawing_has_only_named_links(carm_tree, admin_client, language):
    """No <title> (groups named "tree", "n1", "n1->n2"), no <a> without an address (the arrows' nameless
    links); each node is one link, named by its tooltip, which holds every line the node shows."""
    lonely = question(carm_tree, "What now?")  # a problem: "⚠ Problem" above its text
    page = graph_page(admin_client, carm_tree, language)
    root = ET.fromstring(drawing_of(page))  # noqa: S314  (the site's own drawing, in a test)
    assert not list(root.iter(f"{SVG}title"))
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == Node.objects.filter(tree=carm_tree).count()
    nodes = Node.objects.filter(tree=carm_tree).values_list("pk", flat=True)
    assert {link.get(HREF) for link in links} == {node_url(pk) for pk in nodes}
    for link in links:
        name = words(link.get(NAME) or "")
        assert name
        for line in link.iter(f"{SVG}text"):
            assert words(line.text.removesuffix(" …")) in name, (line.text, name)
    # The arrows are still drawn, with their answers.
    assert len(list(root.iter(f"{SVG}path"))) > len(links)
    by_address = {link.get(HREF): link for link in links}
    start, start_word = by_address[node_url(carm_tree.start_id)], in_language(language, "Start")
    assert start_word == {"en": "Start", "fr": "Début"}[language]
    assert [text.text for text in start.iter(f"{SVG}text")][0] == start_word
    assert start.get(NAME).startswith(start_word + "\n")
    problem = by_address[node_url(lonely.pk)]
    assert problem.get(NAME).startswith("⚠ " + in_language(language, "Problem") + "\n")


def test_drawing_is_a_labelled_focusable_region(small_tree, admin_client, language):
    page = graph_page(admin_client, small_tree, language)
    assert re.search(r'<h2 id="tree-graph-title">[^<]+</h2>', page)
    assert '<div class="tree-graph" role="region" aria-labelledby="tree-graph-title" tabindex="0">' in page
    assert drawing_of(page).startswith("<svg")


def test_the_download_keeps_graphvizs_drawing_whole(small_tree, admin_client):
    """Only the drawing inside the page drops titles and address-less links; the SVG file keeps them."""
    svg = admin_client.get(file_url(small_tree, "svg")).content.decode()
    assert re.search(r"<title>n\d+</title>", svg)  # node ids follow the database's keys
    assert re.search(r"<a xlink:title=", svg)  # an arrow's tooltip, without an address


def test_outline_refers_back_by_the_nodes_text_in_the_pages_language(carm_tree, admin_client):
    """A node shown already is named again by its text in French on a French page, not by its internal name."""
    shared = Node.objects.get(tree=carm_tree, text_en=ERROR_CODES)
    assert shared.name == ERROR_CODES and shared.text_fr != ERROR_CODES
    page = graph_page(admin_client, carm_tree, "fr")
    outline = page[page.index('<ul class="tree-outline">') :]
    references = re.findall(rf'<a href="{node_url(shared.pk)}">([^<]*)</a> \(<a href="#outline-n{shared.pk}">', outline)
    assert len(references) == 5
    assert {html.unescape(reference) for reference in references} == {shared.text_fr}
    # None of the back-references names a node by its internal name.
    named = Node.objects.filter(tree=carm_tree).exclude(name="").exclude(name__in=[ERROR_CODES])
    back = re.findall(r'<a href="[^"#]+">([^<]*)</a> \(<a href="#outline-n', outline)
    assert back and not set(back) & set(named.values_list("name", flat=True))


def test_arrows_name_the_node_they_lead_to_in_the_language_asked_for(carm_tree):
    shared = Node.objects.get(tree=carm_tree, text_en=ERROR_CODES)
    with translation.override("fr"):
        source = tree_dot(snapshot(carm_tree), language="fr", node_url=node_url)
    tooltips = re.findall(rf'^\tn\d+ -> n{shared.pk} \[.*tooltip="([^"]*)"', source, re.MULTILINE)
    assert len(tooltips) == 6
    assert all(tooltip.endswith(f"→ {shared.text_fr}") for tooltip in tooltips), tooltips
