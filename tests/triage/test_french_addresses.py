"""French addresses in French words: the fixed pages', and the help tool's through a French slug per tree and
choice; the toggle leads to each page's exact counterpart; every old English-worded /fr/ address answers 301."""

import importlib
import re

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import translation

from tests.carmsupport.test_languages import toggle_of
from triage.comparison import draft_changes
from triage.exchange import DraftImportError, export_draft
from triage.exchange_import import import_draft
from triage.models import Choice
from triage.releases import snapshot, tree_publish
from triage.selectors import published_tree, tree_graph
from triage.slugs import french_slug

pytestmark = pytest.mark.django_db

# The words of the English addresses that are not French words too ("questions" and "conversation" are both).
ENGLISH_WORDS = {
    "help",
    "contact",
    "received",
    "status",
    "request",
    "open",
    "link",
    "sent",
    "files",
    "resolved",
    "recorded",
    "feedback",
    "preview",
    "yes",
    "no",
}
TOKEN = "AbC123.def-456_ghi"
# Each fixed page's address in English and in French.
FIXED = [
    ("/en/contact/", "/fr/nous-joindre/"),
    ("/en/contact/received/", "/fr/nous-joindre/demande-recue/"),
    ("/en/status/", "/fr/etat-demande/"),
    ("/en/status/request/", "/fr/etat-demande/resultat/"),
    ("/en/conversation/", "/fr/conversation/"),
    (f"/en/conversation/open/{TOKEN}/", f"/fr/conversation/ouvrir/{TOKEN}/"),
    ("/en/conversation/link/", "/fr/conversation/lien/"),
    ("/en/conversation/link/sent/", "/fr/conversation/lien/envoye/"),
    ("/en/conversation/files/42/", "/fr/conversation/fichiers/42/"),
    ("/en/resolved/recorded/yes/", "/fr/resolue/reponse/oui/"),
    ("/en/resolved/recorded/no/", "/fr/resolue/reponse/non/"),
    (f"/en/resolved/{TOKEN}/", f"/fr/resolue/{TOKEN}/"),
]


def every_answers(tree):
    """The answers (English slugs) of every step of every path of the tree."""
    graph = tree_graph(tree)
    found, pending = set(), [(tree.start_id, ())]
    while pending:
        node_id, slugs = pending.pop()
        found.add(slugs)
        pending.extend((choice.target_id, (*slugs, choice.slug)) for choice in graph.nodes[node_id].choices)
    return sorted(found)


def step_url(language, slugs):
    with translation.override(language):
        return published_tree("carm").step_url(slugs)


def translated_slugs(tree):
    """The English slugs of the tree's choices whose French label differs, and the tree's own."""
    choices = Choice.objects.filter(question__tree=tree).exclude(label_fr__iexact=F("label_en"))
    return {tree.slug, *choices.values_list("slug", flat=True)}


def english_words_in(address, english_slugs):
    """The parts of a French address that are English words or English slugs of the tree."""
    path = address.split("?", 1)[0]
    assert path.startswith("/fr/"), address
    return [part for part in path.split("/")[2:] if part in ENGLISH_WORDS or part in english_slugs]


def test_every_choice_with_a_french_label_has_a_french_slug(carm_tree):
    """A choice whose label is translated has a French slug of its own; one named alike in both (EC-1012) keeps it."""
    assert carm_tree.slug_fr == "gcra"
    for choice in Choice.objects.filter(question__tree=carm_tree):
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", choice.slug_fr), choice.slug_fr
        if choice.label_fr.lower() != choice.label_en.lower():
            assert choice.slug_fr != choice.slug, choice.label_fr
        else:
            assert choice.slug_fr == choice.slug, choice.label_fr
    assert Choice.objects.get(question_id=carm_tree.start_id, slug="importer").slug_fr == "importateur"


def test_no_english_word_in_any_french_address_of_the_tree(carm_tree, client):
    """Every step of every path, walked in French, is at an address with no English word, and so are the links
    on its page that stay in French (answers, change links, feedback, contact form, start again)."""
    english_slugs = translated_slugs(carm_tree)
    assert {"importer", "no", "yes", "error-code", "carm"} <= english_slugs
    steps = every_answers(carm_tree)
    assert len(steps) > 365
    for slugs in steps:
        address = step_url("fr", slugs)
        assert not english_words_in(address, english_slugs), address
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        links = re.findall(r'(?:href|action|formaction)="(/fr/[^"]*)"', page)
        for link in links:
            assert not english_words_in(link.replace("&amp;", "&"), english_slugs), (address, link)
    start = client.get("/fr/aide/gcra/")
    assert start.status_code == 200 and 'href="/fr/aide/gcra/questions/"' in start.content.decode()


def test_the_fixed_pages_have_french_words(client):
    for _english, french in FIXED:
        assert not english_words_in(french, set()), french
    with translation.override("fr"):
        assert reverse("cases:contact") == "/fr/nous-joindre/"
        assert reverse("triage:feedback", args=["gcra", "importateur/"]) == "/fr/aide/gcra/retroaction/importateur/"
        assert reverse("triage:preview_start", args=["gcra"]) == "/fr/aide/gcra/apercu/"


def test_every_old_step_address_answers_301_with_its_french_one(carm_tree, client):
    """/fr/help/carm/questions/<English answers> moves for good to the French words of the same step, query kept;
    so do the French fixed words with English answers, and the English tree slug."""
    for slugs in every_answers(carm_tree):
        english = step_url("en", slugs)
        old = english.replace("/en/", "/fr/", 1)
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == step_url("fr", slugs), old
    french = step_url("fr", ["importer", "no"])
    assert french == "/fr/aide/gcra/questions/importateur/non/"
    for old in ("/fr/aide/carm/questions/importer/no/", "/fr/aide/gcra/questions/importer/non/"):
        response = client.get(old, {"helpful": "yes"})
        assert response.status_code == 301 and response["Location"] == french + "?helpful=yes"
    assert client.get("/fr/help/carm/")["Location"] == "/fr/aide/gcra/"
    assert client.get("/fr/aide/carm/")["Location"] == "/fr/aide/gcra/"
    old_feedback = client.get("/fr/help/carm/feedback/importer/no/")
    assert old_feedback.status_code == 301 and old_feedback["Location"] == "/fr/aide/gcra/retroaction/importateur/non/"
    # English addresses stay as they are.
    assert client.get(step_url("en", ["importer", "no"])).status_code == 200


def test_every_old_fixed_address_answers_301_with_its_french_one(client):
    """Links in emails already sent (/fr/conversation/open/<token>/, /fr/resolved/<token>/) and bookmarks keep
    working: each answers 301 with the French address, token and query kept; no other address moves."""
    for english, french in FIXED:
        old = english.replace("/en/", "/fr/", 1)
        if old == french:
            continue
        response = client.get(old)
        assert response.status_code == 301 and response["Location"] == french, old
    response = client.get("/fr/contact/", {"tree": "carm", "answers": "importer/no/"})
    assert response["Location"] == "/fr/nous-joindre/?tree=carm&answers=importer%2Fno%2F"
    assert client.get("/fr/nowhere/").status_code == 404
    assert client.get("/fr/contact/nowhere/").status_code == 404
    assert client.get("/en/nous-joindre/").status_code == 404


@pytest.mark.parametrize("english, french", [FIXED[0], FIXED[2], FIXED[6]])
def test_the_toggle_leads_to_the_exact_counterpart_of_a_fixed_page(client, english, french):
    assert toggle_of(client.get(english).content.decode()) == french
    assert toggle_of(client.get(french).content.decode()) == english


def test_the_toggle_leads_to_the_same_step_and_back(carm_tree, client):
    """On every step of every path, the toggle names the same step in the other language's words, both ways."""
    for slugs in every_answers(carm_tree):
        english, french = step_url("en", slugs), step_url("fr", slugs)
        assert toggle_of(client.get(english).content.decode()) == french
        assert toggle_of(client.get(french).content.decode()) == english
    assert toggle_of(client.get("/fr/aide/gcra/").content.decode()) == "/en/help/carm/"
    assert toggle_of(client.get("/en/help/carm/").content.decode()) == "/fr/aide/gcra/"
    thanks = client.get("/fr/resolue/reponse/non/").content.decode()
    assert toggle_of(thanks) == "/en/resolved/recorded/no/"


def test_the_toggle_keeps_the_query(carm_tree, client):
    page = client.get("/en/help/carm/questions/importer/no/", {"helpful": "yes"}).content.decode()
    assert toggle_of(page) == "/fr/aide/gcra/questions/importateur/non/?helpful=yes"
    page = client.get("/en/contact/", {"tree": "carm", "answers": "importer/no/"}).content.decode()
    assert toggle_of(page).startswith("/fr/nous-joindre/?tree=carm&answers=importer")


def test_a_french_answer_is_sent_and_counted_by_its_key(carm_tree, client):
    """The radios carry the French words; Continue leads to the French address of the next step."""
    page = client.get("/fr/aide/gcra/questions/").content.decode()
    assert 'value="importateur"' in page and 'value="importer"' not in page
    response = client.get("/fr/aide/gcra/questions/", {"answer": "importateur"})
    assert response["Location"] == "/fr/aide/gcra/questions/importateur/"


def test_releases_and_exports_keep_the_french_slugs(carm_tree):
    """The French slugs are in the snapshot a release keeps, and in the TOML export; an import changes them."""
    release = carm_tree.current_release
    head = release.snapshot["tree"]
    assert head["slug_fr"] == "gcra"
    start = next(node for node in release.snapshot["nodes"] if node["id"] == carm_tree.start_id)
    assert {"slug": "importer", "slug_fr": "importateur"}.items() <= start["choices"][0].items()
    text = export_draft(carm_tree)
    assert 'slug = "importer"\nslug_fr = "importateur"\n' in text and 'slug = "carm"\nslug_fr = "gcra"\n' in text
    import_draft(carm_tree, text.replace('slug_fr = "importateur"', 'slug_fr = "importation"'))
    assert Choice.objects.get(question_id=carm_tree.start_id, slug="importer").slug_fr == "importation"
    # The release clients see keeps its words until the draft is published.
    assert step_url("fr", ["importer"]) == "/fr/aide/gcra/questions/importateur/"
    tree_publish(carm_tree, note="French slug changed.")
    assert snapshot(carm_tree)["nodes"][0]["choices"][0]["slug_fr"] == "importation"
    assert step_url("fr", ["importer"]) == "/fr/aide/gcra/questions/importation/"


def test_french_slugs_are_made_from_the_french_labels():
    assert french_slug("Courtier en douane") == "courtier-en-douane"
    assert french_slug("Code d'erreur") == "code-d-erreur"
    assert french_slug("Échec de l’enregistrement") == "echec-de-l-enregistrement"
    assert french_slug("Non", {"non"}) == "non-2"
    long = french_slug("Difficulté à activer ou à configurer votre compte d'entreprise et plus encore")
    assert len(long) <= 60 and long == "difficulte-a-activer-ou-a-configurer-votre-compte"
    assert french_slug("« »", fallback="other") == "other"


def test_a_changed_french_slug_is_listed_before_publishing(carm_tree):
    """The release's changes name a French slug changed: the French address changes with it."""
    choice = Choice.objects.get(question_id=carm_tree.start_id, slug="importer")
    choice.slug_fr = "importation"
    choice.save()
    (change,) = draft_changes(carm_tree).changes
    (field,) = change.fields
    assert (field.field, field.before, field.after) == ("slug_fr", "importateur", "importation")
    assert "French address" in field.note


def test_an_import_with_two_choices_of_one_french_slug_is_refused(carm_tree):
    text = export_draft(carm_tree).replace('slug_fr = "autre"', 'slug_fr = "importateur"', 1)
    with pytest.raises(DraftImportError) as refused:
        import_draft(carm_tree, text)
    assert any("French slug “importateur”" in str(problem) for problem in refused.value.problems)


def test_the_migration_gives_french_slugs_to_the_rows_and_the_releases(carm_tree):
    """Trees and choices from before there were French slugs get them, and so do the releases clients see."""
    from django.apps import apps

    fill_french_slugs = importlib.import_module("triage.migrations.0005_french_slugs").fill_french_slugs
    Choice.objects.update(slug_fr="")
    carm_tree.__class__.objects.update(slug_fr="")
    release = carm_tree.current_release
    del release.snapshot["tree"]["slug_fr"]
    for node in release.snapshot["nodes"]:
        for choice in node.get("choices", ()):
            del choice["slug_fr"]
    release.save()
    fill_french_slugs(apps, None)
    release.refresh_from_db()
    carm_tree.refresh_from_db()
    assert carm_tree.slug_fr == "gcra" and release.snapshot["tree"]["slug_fr"] == "gcra"
    assert release.snapshot == snapshot(carm_tree)  # the same French slugs as the fixture's
    assert Choice.objects.get(question_id=carm_tree.start_id, slug="importer").slug_fr == "importateur"
