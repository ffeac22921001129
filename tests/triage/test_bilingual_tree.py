"""The CARM tree in French: every path walked in both languages, with no text of the other one."""

import html
import re

import pytest
from django.utils import translation

from tests.conftest import fr
from triage.models import Choice, Node, Tree
from triage.selectors import published_tree, tree_graph

NBSP = "\u00a0"


def step_addresses(tree):
    """The address of every step of every path: each question and outcome as clients reach it."""
    graph = tree_graph(tree)
    addresses, pending = set(), [(tree.start_id, ())]
    while pending:
        node_id, slugs = pending.pop()
        addresses.add(slugs)
        for choice in graph.nodes[node_id].choices:
            pending.append((choice.target_id, (*slugs, choice.slug)))
    return sorted(addresses)


def content_strings(language):
    """Every text of the CARM tree in one language: questions, labels, titles, guidance lines."""
    strings = set()
    for node in Node.objects.all():
        for name in ("text", "hint", "title"):
            strings.add(getattr(node, f"{name}_{language}"))
        for line in getattr(node, f"guidance_{language}").splitlines():
            strings.add(re.sub(r"^(- |\d+\. )", "", line.strip()).replace("**", ""))
    strings.update(Choice.objects.values_list(f"label_{language}", flat=True))
    tree = Tree.objects.get()
    strings.add(getattr(tree, f"title_{language}"))
    return {string for string in strings if string.strip()}


def visible_text(response):
    body = response.content.decode().split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def appears(string, text):
    return re.search(rf"(?<!\w){re.escape(string)}(?!\w)", text) is not None


def test_every_outcome_question_and_choice_has_its_french(carm_tree):
    """All 22 questions, every choice and all 33 outcomes have French that differs from the English."""
    for node in Node.objects.filter(tree=carm_tree):
        if node.is_question:
            assert node.text_fr and node.text_fr != node.text_en, node
        else:
            assert node.title_fr and node.guidance_fr and node.guidance_fr != node.guidance_en, node
    for choice in Choice.objects.filter(question__tree=carm_tree).exclude(label_en__startswith="EC-"):
        assert choice.label_fr and choice.label_fr != choice.label_en, choice.label_en
    assert carm_tree.title_fr == "Obtenir de l'aide avec le portail client de la GCRA"


@pytest.mark.parametrize("language, other", [("fr", "en"), ("en", "fr")])
def test_no_text_of_the_other_language_on_any_step(carm_tree, client, language, other):
    """Walking every step of the tree, no content string of the other language shows on a page."""
    foreign = content_strings(other) - content_strings(language)
    addresses = step_addresses(carm_tree)
    assert len(addresses) > 365
    for address in addresses:
        with translation.override(language):
            url = published_tree("carm").step_url(address)
        response = client.get(url)
        assert response.status_code == 200, address
        page = visible_text(response)
        leaks = [string for string in foreign if appears(string, page)]
        assert not leaks, f"{url} shows {leaks[:3]}"


def test_french_pages_use_the_official_terms(carm_tree, client):
    """The start page and an outcome read in French with the agency's terms."""
    start = visible_text(client.get("/fr/aide/gcra/"))
    assert "Obtenir de l'aide avec le portail client de la GCRA" in start
    assert "Commencer maintenant" in start
    outcome = visible_text(client.get("/fr/aide/gcra/questions/importateur/non/numero-d-entreprise-non-accepte/"))
    assert "NE9" in outcome and "ASFC" in outcome or "GCRA" in outcome


def test_french_content_uses_canadian_typography(carm_tree):
    """A no-break space, never a plain one, before : ; ? ! and inside « »; no English quotation marks."""
    for string in content_strings("fr"):
        assert not re.search(r" [:;?!»]|« ", string), string
        assert not re.search(r"[^\s\u00a0\d][:;?!](\s|$)", string), string
        assert '"' not in string and "“" not in string, string


def test_graph_and_page_caches_are_kept_per_language(small_tree, client):
    """The same step asked in English, then French, then English again shows each language's text."""
    english, french = "/en/help/small/questions/", "/fr/aide/small/questions/"
    assert "Who are you?" in client.get(english).content.decode()
    assert fr("Who are you?") in client.get(french).content.decode()
    assert fr("Who are you?") not in client.get(english).content.decode()
    with translation.override("fr"):
        assert tree_graph(small_tree).nodes[small_tree.start_id].text == fr("Who are you?")
    with translation.override("en"):
        assert tree_graph(small_tree).nodes[small_tree.start_id].text == "Who are you?"
