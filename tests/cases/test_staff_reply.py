"""Staff answer from the case page: canned responses filled in, a preview, the status after sending."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext
from markdown_it.common.utils import escapeHtml

from cases.conversation.canned import filled, unknown_placeholders
from cases.models import CannedResponse, Case, Message, OutboundEmail
from cases.outbox.emails import reply_message
from cases.tokens import issue_token
from helpdesk.models import Topic
from tests.conftest import make_staff, sign_in_staff
from triage.guidance import render_markdown


@pytest.fixture
def canned(db):
    return CannedResponse.objects.create(
        title_en="Reset",
        title_fr="Réinitialiser",
        body_en="Hello {client_name}, about {reference} ({topic}): we reply by {due}. {unknown}",
        body_fr="Bonjour {client_name}, au sujet de {reference} : réponse au plus tard {due}.",
        topic=Topic.objects.get(slug="portal-access"),
    )


def reply_url(case):
    return reverse("admin:cases_case_reply", args=[case.pk])


def test_canned_text_is_filled_in_the_reply_language(make_case, canned):
    """Placeholders take the case's values, in the client's language; an unknown one is left as written."""
    case = make_case()
    text = filled(canned, case)
    assert text.startswith(f"Hello Ann Smith, about {case.display_reference} (Accessing the CARM Client Portal)")
    assert "Eastern time on" in text and text.endswith("{unknown}")
    case.preferred_language = "fr"
    assert filled(canned, case).startswith("Bonjour Ann Smith")
    assert "heure de l’Est" in filled(canned, case) or "heure de l'Est" in filled(canned, case)


# Names a client may type, each of which Markdown would read as markup.
MARKUP_NAMES = [
    "[Verify your account](http:evil.example)",
    "[Verify your account](https://evil.example/login)",
    "[Verify your account][1]",
    "<http://evil.example/verify>",
    "<ann@evil.example>",
    "http://evil.example/verify",
    "www.evil.example",
    "*Ann* __Smith__ ~~Jones~~ `code`",
    "<b>Ann</b><img src=x onerror=alert(1)>",
    "![Verify](https://evil.example/pixel.png)",
    "&lt;Ann&gt; &#106;",
    "- Ann",
    "1. Ann",
    "12) Ann",
    "# Ann",
    "> Ann",
    "---",
    "Ann \\",
    "Ann | Smith",
]


@pytest.mark.parametrize("name", MARKUP_NAMES)
@pytest.mark.parametrize("body", ["{client_name}", "Hello {client_name}, thank you.", "**{client_name}**"])
def test_a_clients_name_is_inserted_as_text(make_case, name, body):
    """Wherever a canned response names the client, the name renders as itself: no link, no markup."""
    case = make_case(full_name=name)
    text = filled(CannedResponse(body_en=f"{body}\n\n[1]: https://evil.example/1"), case)
    html = render_markdown(text)
    assert escapeHtml(name) in html
    assert "evil.example/1" not in html and "<a" not in html and "<img" not in html
    shown = render_markdown(body.replace("{client_name}", "NAME")).replace("NAME", escapeHtml(name))
    assert html == shown


def test_a_name_on_lines_of_its_own_stays_on_the_line(make_case):
    case = make_case(full_name="Ann\n\n# [Verify](https://evil.example)\n    code")
    assert render_markdown(filled(CannedResponse(body_en="{client_name}"), case)) == (
        "<p>Ann # [Verify](https://evil.example) code</p>\n"
    )


def test_values_stay_readable_in_the_text_part(make_case):
    """Only what Markdown would read as markup is escaped: hyphens, apostrophes, parentheses,
    periods and the French no-break space are left as they are."""
    case = make_case(full_name="Marie-Ève D'Amours-Smith Jr.", topic="rm-account", preferred_language="fr")
    text = filled(CannedResponse(body_fr="{client_name}, {topic}"), case)
    assert text == (
        "Marie-Ève D'Amours-Smith Jr., Votre compte de programme d'importation-exportation (RM)\u00a0: "
        "traitement des paiements, imputation des paiements, apurement, compensation et rapprochement"
    )


def test_the_reply_email_shows_the_name_as_text(make_case):
    case = make_case(full_name="[Verify your account](http:evil.example)")
    body = filled(CannedResponse(body_en="Hello {client_name},\n\nDone."), case)
    message = reply_message(case, Message(case=case, kind=Message.Kind.REPLY, body=body))
    html, _mimetype = message.alternatives[0]
    assert "<p>Hello [Verify your account](http:evil.example),</p>" in html
    assert "evil.example" not in "".join(re.findall(r'href="[^"]*"', html))


def test_unknown_placeholders_are_refused_in_the_admin(admin_client, db):
    """Saving a canned response with a misspelt placeholder names it and lists the right ones."""
    assert unknown_placeholders("{reference} {refrence}") == ["refrence"]
    response = admin_client.post(
        reverse("admin:cases_cannedresponse_add"),
        {"title_en": "A", "title_fr": "A", "body_en": "Hi {name}", "body_fr": "Salut", "position": 0},
    )
    assert response.status_code == 200
    assert "Unknown placeholder: {name}" in response.content.decode()
    assert not CannedResponse.objects.exists()


def test_case_page_shows_the_conversation_and_the_reply_box(make_case, reviewer_client):
    """The case page has the request, a reply box with the statuses to choose, and no cache."""
    case = make_case()
    response = reviewer_client.get(reverse("admin:cases_case_change", args=[case.pk]))
    page = response.content.decode()
    assert "EC-1012 when registering." in page and reply_url(case) in page
    assert "Waiting on client" in page and "no-store" in response["Cache-Control"]


def test_insert_then_preview_then_send(make_case, reviewer_client, canned):
    """Insert fills the canned text in; preview renders the Markdown safely; send saves, emails and returns."""
    case = make_case()
    base = {"body": "", "status": "waiting", "canned": canned.pk, "token": issue_token()}
    page = reviewer_client.post(reply_url(case), {**base, "action": "insert"}).content.decode()
    assert "Hello Ann Smith" in page
    preview = reviewer_client.post(
        reply_url(case), {**base, "body": "**Bold** <script>x()</script>", "action": "preview"}
    ).content.decode()
    assert "<strong>Bold</strong>" in preview and "<script>x()" not in preview
    assert not case.messages.exists()
    response = reviewer_client.post(reply_url(case), {**base, "body": "Done, **try again**.", "action": "send"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:cases_case_change", args=[case.pk])
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_ON_CLIENT
    assert case.messages.get().kind == Message.Kind.REPLY
    assert OutboundEmail.objects.filter(case=case, kind="reply").exists()


def test_sending_an_empty_reply_says_so(make_case, reviewer_client):
    """Send with no text gives an error next to the reply box, and nothing is sent."""
    case = make_case()
    data = {"body": " ", "status": "waiting", "action": "send", "token": issue_token()}
    response = reviewer_client.post(reply_url(case), data)
    assert response.status_code == 200 and "Write the reply." in response.content.decode()
    assert not case.messages.exists()


def test_only_staff_who_may_change_cases_reply(make_case, client, db):
    """Staff who may only view cases cannot reply; nobody signed out can."""
    case = make_case()
    viewer = make_staff("viewer", permissions=["cases.view_case"])
    data = {"body": "Hi", "status": "waiting", "action": "send"}
    assert client.post(reply_url(case), data).status_code == 302  # to the sign-in page
    assert sign_in_staff(client, viewer).post(reply_url(case), data).status_code == 403
    assert not case.messages.exists()


def test_case_reviewers_keep_canned_responses_and_see_emails(reviewer_client, make_case):
    """Case reviewers add canned responses and read the outgoing emails."""
    make_case()
    assert reviewer_client.get(reverse("admin:cases_cannedresponse_add")).status_code == 200
    assert reviewer_client.get(reverse("admin:cases_outboundemail_changelist")).status_code == 200


def in_language(language, message):
    with translation.override(language):
        return gettext(message)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"body": " ", "status": "waiting"}, "reply_body", "Write the reply."),
        ({"body": "Done."}, "reply_status_0", "Choose the status of the case after this reply."),
    ],
)
def test_a_refused_reply_is_summarised_at_the_top(make_case, reviewer_client, language, data, field, message):
    """As on the public forms: "Error:" before the title, a summary first in the content that takes the focus
    (role alert, autofocus) and links to the field, the message beside the field; what was typed stays."""
    case = make_case()
    data = {**data, "action": "send", "token": issue_token()}
    response = reviewer_client.post(reply_url(case), data, headers={"accept-language": language})
    page = response.content.decode()
    assert response.status_code == 200 and not case.messages.exists()
    title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
    assert title.startswith(escape(in_language(language, "Error:")) + " ")
    assert case.display_reference in title
    summary = re.search(r'<div class="error-summary"([^>]*)>(.*?)</div>', page, re.S)
    assert 'role="alert"' in summary[1] and 'tabindex="-1"' in summary[1] and "autofocus" in summary[1]
    assert page.index('class="error-summary"') < page.index('<form method="post" action="' + reply_url(case))
    expected = escape(in_language(language, message))
    assert f'<a href="#{field}">{expected}</a>' in summary[2]
    assert re.search(rf'id="{field}"', page)
    # Beside the field, in its row: Django's error list, which the field names in aria-describedby.
    row = page[page.rindex('<div class="form-row', 0, page.index(f'id="{field}"')) :]
    assert f"<li>{expected}</li>" in row[: row.index(f'id="{field}"')]
    if data["body"].strip():
        assert ">Done.</textarea>" in page.replace("\n", "")


def test_a_reply_page_without_errors_has_no_summary(make_case, reviewer_client):
    case = make_case()
    page = reviewer_client.get(reply_url(case)).content.decode()
    assert "error-summary" not in page and not re.search(r"<title>Error:", page)
