"""The wizard clients walk: one question per page, by addresses that carry the answers."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.conftest import build_chain_tree
from triage.models import Choice, Node, OutcomeFeedback
from triage.releases import tree_publish

CARM = "/en/help/carm/questions/"
EC_QUESTION = CARM + "importer/yes/yes/difficulty-activating-or-configuring-your-business-account/error-code/"
EC_1012 = EC_QUESTION + "ec-1012/"


def text_of(response):
    return response.content.decode()


def test_home_lists_the_help_tool(carm_tree, client):
    """The home page links to the help tool."""
    page = text_of(client.get("/en/"))
    assert 'href="/en/help/carm/"' in page and "Get help with the CARM Client Portal" in page


def test_start_page(carm_tree, client):
    """The start page has the title, introduction, subjects and a Start button."""
    response = client.get("/en/help/carm/")
    page = text_of(response)
    assert "<h1>Get help with the CARM Client Portal</h1>" in page
    assert "Use this interactive tool to find answers" in page
    assert "<li>delegation of authority</li>" in page
    assert f'href="{CARM}"' in page and "Start now" in page


def test_first_question_page(carm_tree, client):
    """A question is a fieldset whose legend is the page's only h1, with a labelled radio per choice."""
    page = text_of(client.get(CARM))
    assert re.search(r"<fieldset[^>]*>\s*<legend><h1>Please identify yourself</h1></legend>", page)
    assert page.count("<h1") == 1
    for index, label in enumerate(["Importer", "Customs broker", "Trade consultant"]):
        assert f'id="id_answer_{index}"' in page and f'<label for="id_answer_{index}">{label}</label>' in page
    assert "Continue</button>" in page
    assert "<script" not in page


def test_answer_redirects_to_the_next_step(carm_tree, client):
    """Continue with a choice goes to the address carrying that answer."""
    response = client.get(CARM, {"answer": "customs-broker"})
    assert response.status_code == 302 and response.url == CARM + "customs-broker/"
    page = text_of(client.get(response.url))
    assert "<h1>Are you a non-resident business?</h1>" in page


def test_continue_without_a_choice(carm_tree, client):
    """Continue with nothing ticked (the form then sends only its button): an error summary linking to
    the radios, the error beside them, "Error:" in the title, in both languages."""
    page = text_of(client.get(EC_QUESTION))
    assert 'name="continue"' in page and "There is a problem" not in page
    page = text_of(client.get(EC_QUESTION, {"continue": "1"}))
    assert "There is a problem" in page
    assert '<a href="#id_answer_0">Select one option.</a>' in page
    assert 'id="answer-error"' in page and 'aria-describedby="answer-error"' in page
    assert re.search(r"<title>Error: Please select one of the following error codes\.", page)
    french = (
        "/fr/aide/gcra/questions/importateur/oui/oui/"
        "probleme-d-activation-ou-de-configuration-de-votre-compte/code-d-erreur/"
    )
    page = text_of(client.get(french, {"continue": "1"}))
    with translation.override("fr"):
        assert gettext("There is a problem") in page and gettext("Select one option.") in page
    assert "Sélectionnez une option." in page


def test_tampered_answer_value(carm_tree, client):
    """An answer not offered by the question is an error on the page, not a crash."""
    response = client.get(EC_QUESTION, {"answer": "ec-9999"})
    assert response.status_code == 200
    assert "Select one of the answers listed." in text_of(response)


def test_outcome_page(carm_tree, client):
    """The outcome shows guidance, the answers, feedback question and helpdesk contacts."""
    page = text_of(client.get(EC_1012))
    assert "<h1>Error code EC-1012</h1>" in page
    assert "the error code, EC-1012" in page
    assert "Did you find what you were looking for?" in page
    assert "1-800-461-9999" in page and "1-204-983-3500" in page and "1-506-636-5064" in page
    assert "7 am to 7 pm Eastern time" in page
    assert page.count("summary-row") == 6


def test_outcome_page_reads_in_order(carm_tree, client):
    """Guidance, then what to do next, then the answers with Change links, then the feedback question;
    the telephone heading sits under "Still need help?"."""
    page = text_of(client.get(EC_1012))
    order = [
        'class="guidance"',
        "Contact the helpdesk</a>",
        "Your answers",
        "Did you find what you were looking for?",
        "Date modified:",
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "above" not in page.split('class="guidance"')[1]
    assert '<h3 id="helpdesk-title">' in page and "<h4>" in page


@pytest.mark.parametrize(
    "address",
    [
        CARM + "astronaut/",
        CARM + "importer/maybe/",
        EC_1012 + "more/",
        CARM + "importer/%3Cscript%3E/",
        CARM + "importer/yes\u00e9/",
    ],
)
def test_impossible_paths_get_a_friendly_404(carm_tree, client, address):
    """A tampered or impossible address gets a clear page with Start again."""
    response = client.get(address)
    assert response.status_code == 404
    page = text_of(response)
    assert "These answers do not lead to a page" in page and 'href="/en/help/carm/"' in page


def test_unknown_tree_is_a_friendly_404(db, client):
    """An unknown help tool gets the site's own not-found page."""
    response = client.get("/en/help/nothing/questions/")
    assert response.status_code == 404
    assert "Page not found" in text_of(response) and "Start again" in text_of(response)


def test_stale_address_after_a_release_explains_itself(carm_tree, client):
    """An address through a node a new release removed says the tool changed and where to go on from."""
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    assert client.get(EC_1012).status_code == 200
    Choice.objects.filter(target=outcome).delete()
    outcome.delete()
    assert client.get(EC_1012).status_code == 200  # the draft's edit is not public yet
    tree_publish(carm_tree, note="EC-1012 removed")
    response = client.get(EC_1012)
    page = text_of(response)
    assert response.status_code == 200 and "This step changed when the help tool was updated" in page
    assert f'href="{EC_QUESTION}"' in page and "Your first 5 answers still apply." in page
    assert client.get(EC_QUESTION + "no-such-code/").status_code == 404


@pytest.mark.parametrize(
    "address, canonical",
    [
        (CARM + "importer", CARM + "importer/"),
        (CARM + "importer//yes", CARM + "importer/yes/"),
        (CARM + "/importer/yes/", CARM + "importer/yes/"),
    ],
)
def test_canonical_redirects(carm_tree, client, address, canonical):
    """Each step answers at one address; others redirect there permanently."""
    response = client.get(address)
    assert response.status_code == 301 and response.url == canonical


def test_change_link_preselects_and_drops_later_answers(carm_tree, client):
    """Change goes back to the question with the answer ticked; a new answer drops the rest."""
    page = text_of(client.get(EC_1012))
    change = CARM + "importer/?previous=yes"
    assert f'href="{change}"' in page
    question = text_of(client.get(change))
    assert re.search(r'value="yes" id="id_answer_0"[^>]* checked', question)
    response = client.get(CARM + "importer/", {"answer": "no"})
    assert response.url == CARM + "importer/no/"


def test_start_again_link(carm_tree, client):
    """Every step offers Start again."""
    assert 'href="/en/help/carm/">Start again' in text_of(client.get(EC_QUESTION))


def test_published_edit_is_live_on_next_load(carm_tree, client):
    """An edit to a shared question shows once published, on the next page load, on every path using it."""
    client.get(EC_QUESTION)
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    question.text_en = "Which error code did you see?"
    question.save()
    assert "Which error code did you see?" not in text_of(client.get(EC_QUESTION))
    tree_publish(carm_tree, note="Reworded")
    assert "<h1>Which error code did you see?</h1>" in text_of(client.get(EC_QUESTION))
    assert "<h1>Which error code did you see?</h1>" in text_of(client.get(CARM + "other/no/error-code/"))


def test_staff_text_is_escaped(carm_tree, client):
    """Markup typed by staff is shown as text, in questions and in guidance."""
    question = Node.objects.get(tree=carm_tree, text_en="Please select one of the following error codes.")
    question.text_en = "<script>alert(1)</script>Which code?"
    question.save()
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    outcome.guidance_en = (
        "Read <img src=x onerror=alert(1)> and [this](javascript:alert(1)) and [that](https://example.org)."
    )
    outcome.save()
    tree_publish(carm_tree, note="Markup")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Which code?" in text_of(client.get(EC_QUESTION))
    page = text_of(client.get(EC_1012))
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript' not in page and '<a href="https://example.org">that</a>' in page


def test_guidance_links_web_and_mail_addresses_only_and_fetches_no_image(carm_tree, client):
    """The rule of staff Markdown (triage.guidance) holds on the guidance pages too."""
    outcome = Node.objects.get(tree=carm_tree, title_en="Error code EC-1012")
    outcome.guidance_en = (
        "![Screenshot](https://evil.example/pixel.png) [Verify](http:evil.example) [Sign in](//evil.example/) "
        "[Search](search-ms:query=x) [Portal](https://example.org/carm) [Write](mailto:help@example.org)"
    )
    outcome.save()
    tree_publish(carm_tree, note="Links")
    page = text_of(client.get(EC_1012))
    assert "evil.example/pixel.png" not in page and "<p>Screenshot [Verify](http:evil.example)" in page
    assert 'href="http:evil' not in page and 'href="//evil' not in page and 'href="search-ms' not in page
    assert '<a href="https://example.org/carm">Portal</a>' in page
    assert '<a href="mailto:help@example.org">Write</a>' in page


def test_feedback_is_recorded_once_per_submission(carm_tree, client):
    """Yes or No is stored against the outcome, with nothing about the client."""
    action = reverse("triage:feedback", args=["carm", EC_1012.removeprefix(CARM)])
    response = client.post(action, {"helpful": "no"})
    assert response.status_code == 302 and response.url == EC_1012 + "?helpful=no#feedback"
    feedback = OutcomeFeedback.objects.get()
    assert feedback.outcome.title == "Error code EC-1012" and feedback.helpful is False
    page = text_of(client.get(response.url))
    assert "Thank you for your feedback" in page and "Did you find what you were looking for?" not in page


def test_feedback_errors_and_wrong_method(carm_tree, client):
    """Feedback without an answer is an error on the page; a GET just goes to the outcome."""
    action = reverse("triage:feedback", args=["carm", EC_1012.removeprefix(CARM)])
    page = text_of(client.post(action, {}))
    assert "Select yes or no." in page and "<title>Error:" in page
    assert client.get(action).url == EC_1012
    assert (
        client.post(reverse("triage:feedback", args=["carm", "importer/"]), {"helpful": "yes"}).url
        == CARM + "importer/"
    )
    assert client.post(reverse("triage:feedback", args=["carm", "nope/"]), {"helpful": "yes"}).status_code == 404
    assert not OutcomeFeedback.objects.exists()


def test_queries_per_step_do_not_grow_with_depth(carm_tree, client, django_assert_max_num_queries):
    """The first and the deepest CARM steps cost the same few queries."""
    for address in (CARM, EC_QUESTION, EC_1012):
        with django_assert_max_num_queries(3):
            assert client.get(address).status_code == 200
        with django_assert_max_num_queries(1):
            assert client.get(address).status_code == 200


def test_queries_per_step_on_a_tree_of_thousands_of_nodes(db, client, django_assert_max_num_queries):
    """On a 3,000-node tree, a step 500 answers deep costs as few queries as the first."""
    build_chain_tree("big", depth=1000, width=3)
    deep = "/en/help/big/questions/" + "go-on/" * 500
    with django_assert_max_num_queries(3):
        assert "<h1>Question 500</h1>" in text_of(client.get(deep))
    with django_assert_max_num_queries(1):
        assert "<h1>Question 500</h1>" in text_of(client.get(deep))
    with django_assert_max_num_queries(1):
        assert client.get(deep, {"answer": "stop-1"}).url == deep + "stop-1/"


def test_each_step_has_its_own_title(carm_tree, client):
    """The four steps that ask "Are you a non-resident business?" have four titles; the home page
    names the service once; every public page has a description."""
    titles = set()
    for first in ("importer", "customs-broker", "trade-consultant", "customs-bonded-warehouse-licensee"):
        page = text_of(client.get(f"{CARM}{first}/"))
        titles.add(re.search(r"<title>(.*?)</title>", page, re.S)[1])
        assert '<meta name="description" content="Are you a non-resident business?' in page
    assert len(titles) == 4
    home = text_of(client.get("/en/"))
    assert "<title>CARM Client Portal support</title>" in home and '<meta name="description"' in home
