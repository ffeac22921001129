"""The contact form: from a help-tool outcome or direct; the confirmation; the acknowledgment."""

import io
import re
from datetime import datetime
from html import unescape

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from cases.models import Case
from helpdesk.calendar import HELPDESK_TZ
from helpdesk.models import ResponseClass, Topic
from triage.models import Node

EC_1012 = "importer/yes/yes/error-code/ec-1012/"
POST_SECURITY = "importer/no/posting-adjusting-or-cancelling-financial-security/no/yes/post-financial-security/"
FORM = {
    "full_name": "Ann Smith",
    "email": "ann@example.org",
    "telephone": "613-555-0100",
    "business_name": "Smith Imports Inc.",
    "business_number": "123 456 782 RM 0001",
    "preferred_language": "en",
    "description": "The portal shows EC-1012 when I register.",
    "consent": "on",
}


def contact_url(answers=None, tree="carm"):
    url = reverse("cases:contact")
    return url if answers is None else f"{url}?tree={tree}&answers={answers}"


def form_token(client, url):
    page = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def send(client, url, **changes):
    """Send the form; the acknowledgment it queues is sent as its transaction commits, as the immediate
    task backend does outside tests."""
    data = {**FORM, "token": form_token(client, url), **changes}
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {k: v for k, v in data.items() if v is not None})


def test_outcome_links_to_the_contact_form_with_its_path(carm_tree, client):
    """The outcome's "Contact the helpdesk" opens the form carrying the answers."""
    page = client.get(f"/en/help/carm/questions/{EC_1012}").content.decode()
    assert f'href="/en/contact/?tree=carm&amp;answers={EC_1012.replace("/", "%2F")}"' in page


def test_contact_form_shows_the_path_read_only(carm_tree, client):
    """About your request lists the questions and answers, with a link back to change them."""
    page = client.get(contact_url(EC_1012)).content.decode()
    assert "About your request" in page and "Error code EC-1012" in page
    assert "<dt>Please select one of the following error codes.</dt>" in page and "<dd>EC-1012</dd>" in page
    assert f'href="/en/help/carm/questions/{EC_1012}">Change your answers' in page
    assert 'name="topic"' not in page


def test_case_from_an_outcome(carm_tree, client):
    """Sending files a case with the path snapshot, the outcome's topic and class, and a target."""
    response = send(client, contact_url(EC_1012))
    assert response.status_code == 302 and response.url == reverse("cases:confirmation")
    case = Case.objects.get()
    assert case.topic.slug == "portal-access" and case.response_class == ResponseClass.STANDARD
    assert case.outcome.title == "Error code EC-1012" and case.outcome_title == "Error code EC-1012"
    assert case.path[-1] == {"question": "Please select one of the following error codes.", "answer": "EC-1012"}
    assert len(case.path) == 5
    assert case.business_number == "123456782RM0001"
    assert case.status == Case.Status.NEW
    assert case.due_at.astimezone(HELPDESK_TZ).hour == 19
    assert case.events.first().description == "Received through the contact form"


def test_financial_security_case_gets_15_business_days(carm_tree, client):
    """A case from a financial-security outcome has the financial response class."""
    send(client, contact_url(POST_SECURITY))
    case = Case.objects.get()
    assert case.response_class == ResponseClass.FINANCIAL and case.topic.slug == "rm-account"


def test_posted_topic_cannot_override_the_outcome(carm_tree, client):
    """A topic added to the form by hand does not change a path's topic or class."""
    send(client, contact_url(EC_1012), topic=Topic.objects.get(slug="rm-account").pk)
    assert Case.objects.get().response_class == ResponseClass.STANDARD


@pytest.mark.parametrize(
    "query",
    [
        "?tree=carm&answers=importer/yes/",  # a question, not an outcome
        "?tree=carm&answers=importer/maybe/",  # not a path
        "?tree=nope&answers=" + EC_1012,  # no such tree
        "?tree=carm&answers=%3Cscript%3E/",  # not slugs
        "?answers=" + EC_1012,  # no tree
    ],
)
def test_tampered_path_gets_a_friendly_400(carm_tree, client, query):
    """A path that does not lead to an outcome gets a clear page, not a form and not a 500."""
    for response in (client.get(reverse("cases:contact") + query), client.post(reverse("cases:contact") + query, FORM)):
        assert response.status_code == 400
        assert "The contact form cannot open from this address" in response.content.decode()
    assert not Case.objects.exists()


def test_outcome_closed_to_contact(carm_tree, client):
    """An outcome staff closed to contact shows no button, and its form address is refused."""
    Node.objects.filter(title_en="Error code EC-1012").update(contact_allowed=False)
    from triage.releases import tree_publish

    tree_publish(carm_tree, note="Closed to contact")
    assert "Contact the helpdesk</a>" not in client.get(f"/en/help/carm/questions/{EC_1012}").content.decode()
    assert client.get(contact_url(EC_1012)).status_code == 400


def test_direct_contact_asks_the_topic(db, client):
    """The Contact us page offers the helpdesk's six topics; the topic sets the class."""
    page = client.get(contact_url()).content.decode()
    assert page.count('name="topic"') == 6
    assert "Disbursement and collection activities" in page
    send(client, contact_url(), topic=Topic.objects.get(slug="disbursement-collection").pk)
    case = Case.objects.get()
    assert case.response_class == ResponseClass.FINANCIAL and case.path == [] and case.outcome is None


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"full_name": ""}, "full_name", "Enter your full name."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "ann@"}, "email", "Enter an email address in the right format, like name@example.com."),
        ({"business_number": "123456789"}, "business_number", "Check the digits: this number is not valid."),
        ({"business_number": "123456782XX0001"}, "business_number", "this number is not valid."),
        ({"description": ""}, "description", "Describe your request."),
        ({"description": "x" * 5001}, "description", "must be 5,000 characters or fewer; it has 5,001."),
        ({"consent": None}, "consent", "Tick the box to agree, so that we can answer your request."),
        ({"preferred_language": "de"}, "preferred_language", "Select a valid choice."),
        ({"topic": None}, "topic", "Select what your request is about."),
        ({"topic": "999"}, "topic", "Select one of the topics listed."),
    ],
)
def test_each_bad_input_is_explained_and_nothing_is_lost(db, client, changes, field, message):
    """The error shows in the summary and beside the field; what was typed stays in the form."""
    base = {"topic": Topic.objects.get(slug="cad").pk}
    response = send(client, contact_url(), **{**base, **changes})
    page = response.content.decode()
    assert response.status_code == 200 and not Case.objects.exists()
    assert "There is a problem" in page and page.count(message) >= 2
    assert re.search(r"<title>Error:", page)
    assert f'<p id="id_{field}_error" class="error-message">' in page
    for name, value in {**FORM, **base}.items():
        if name not in changes:
            assert kept(page, name, value), name


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"description": "x" * 5001}, "au plus 5\u00a0000 caractères\u00a0; elle en compte 5\u00a0001."),
        ({"telephone": "6" * 41}, "Ce champ doit compter au plus 40 caractères\u00a0; il en compte 41."),
        ({"preferred_language": "de"}, "Sélectionnez l'un des choix proposés\u00a0; de n'en fait pas partie."),
    ],
)
def test_french_errors_are_in_the_sites_french_with_french_numbers(db, client, changes, message):
    """Numbers are grouped with a no-break space, and Django's own messages read in the site's wording."""
    with translation.override("fr"):
        url = contact_url()
    page = unescape(send(client, url, topic=Topic.objects.get(slug="cad").pk, **changes).content.decode())
    assert message in page and "Assurez-vous" not in page and "\u2019" not in page


def kept(page, name, value):
    """Whether the form shows `value` again in field `name`: as its text, its ticked box or its chosen option."""
    value = re.escape(escape(str(value)))
    if name == "description":
        return re.search(rf'<textarea name="{name}"[^>]*>\n{value}</textarea>', page)
    if name == "consent":
        return re.search(rf'<input type="checkbox" name="{name}"[^>]* checked>', page)
    if name in ("preferred_language", "topic"):
        return re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]* checked>', page)
    return re.search(rf'<input type="\w+" name="{name}" value="{value}"', page)


def test_markup_typed_by_a_client_stays_text(carm_tree, client):
    """Markup in the client's fields is shown as text on the form; a description keeps it as typed."""
    response = send(client, contact_url(EC_1012), full_name="<b>Ann</b>", description="")
    assert "&lt;b&gt;Ann&lt;/b&gt;" in response.content.decode()
    send(client, contact_url(EC_1012), description="<b>EC-1012</b> on step 2")
    assert Case.objects.get().description == "<b>EC-1012</b> on step 2"


@pytest.mark.parametrize(
    "name",
    [
        "<b>Ann</b>",
        "Win a prize at evil.example",
        "Visit https://evil.example now",
        "ann@example.org",
        "Call www.evil.example",
        "A" * 101,
        "Ann Smith\nClick here",
    ],
)
def test_names_that_are_not_names_are_refused(carm_tree, client, name):
    """The name is the one thing a stranger could make the portal send: links, addresses, markup
    and long texts are refused beside the field, and nothing is sent."""
    response = send(client, contact_url(EC_1012), full_name=name)
    page = response.content.decode()
    assert response.status_code == 200 and 'id="id_full_name_error"' in page
    assert not Case.objects.exists() and not mail.outbox


@pytest.mark.parametrize("name", ["Ann Smith", "Zoë O'Brien-Tremblay", "J. R. Smith", "Jean-François Côté", "李 小龍"])
def test_real_names_are_accepted(carm_tree, client, name):
    assert send(client, contact_url(EC_1012), full_name=name).status_code == 302


def test_confirmation_page(carm_tree, client):
    """The confirmation shows the reference, the target in words and urgent numbers."""
    send(client, contact_url(EC_1012))
    case = Case.objects.get()
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert case.display_reference.replace("-", "") in re.sub(r"<[^>]+>|-", "", page)
    day = case.due_local.strftime("%A, %B %-d, %Y")
    assert f"We will reply by 7 p.m. Eastern time on {day}." in page
    assert "1-800-461-9999" in page and "What happens next" in page


def test_target_in_words_for_a_known_date(carm_tree, client, monkeypatch):
    """Received Monday 2026-11-23 10:00 Toronto: reply by Wednesday, November 25, 2026."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 11, 23, 10, 0, tzinfo=HELPDESK_TZ))
    send(client, contact_url(EC_1012))
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We will reply by 7 p.m. Eastern time on Wednesday, November 25, 2026." in page


def test_sending_twice_files_one_case(carm_tree, client):
    """Back and send again with the same form token: still one case, same confirmation."""
    url = contact_url(EC_1012)
    data = {**FORM, "token": form_token(client, url)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.post(url, data)
        second = client.post(url, data)
    assert first.url == second.url == reverse("cases:confirmation")
    assert Case.objects.count() == 1 and len(mail.outbox) == 1


def test_reloading_the_confirmation_files_nothing(carm_tree, client):
    """The confirmation is a GET page: reloading it changes nothing."""
    send(client, contact_url(EC_1012))
    client.get(reverse("cases:confirmation"))
    client.get(reverse("cases:confirmation"))
    assert Case.objects.count() == 1


@pytest.mark.parametrize("token", ["<x>", "0123456789abcdef0123456789abcdef", "chosen-by-the-client"])
def test_a_token_the_server_did_not_issue_is_replaced(db, client, token):
    """A token that is not one of ours, even a well-formed one, files nothing; the page offers a fresh one."""
    response = client.post(contact_url(), {**FORM, "token": token, "topic": Topic.objects.first().pk})
    page = response.content.decode()
    assert "This form has expired. Send it again." in page and not Case.objects.exists()
    fresh = re.search(r'name="token" value="([^"]+)"', page)[1]
    assert fresh != token
    assert client.post(contact_url(), {**FORM, "token": fresh, "topic": Topic.objects.first().pk}).status_code == 302


def test_a_token_expires_after_a_day(db, client, monkeypatch):
    import time

    token = form_token(client, contact_url())
    now = time.time()
    monkeypatch.setattr("time.time", lambda: now + 25 * 3600)
    response = client.post(contact_url(), {**FORM, "token": token, "topic": Topic.objects.first().pk})
    assert "This form has expired. Send it again." in response.content.decode() and not Case.objects.exists()


def test_confirmation_without_a_request(db, client):
    """Opening the confirmation in another browser shows a clear page."""
    response = client.get(reverse("cases:confirmation"))
    assert response.status_code == 404 and "No request to show" in response.content.decode()


def test_acknowledgment_email(carm_tree, client):
    """The client gets the reference, the topic and the target by email."""
    send(client, contact_url(EC_1012))
    case = Case.objects.get()
    (message,) = mail.outbox
    assert message.to == ["ann@example.org"]
    assert case.display_reference in message.subject
    assert case.display_reference in message.body and "Accessing the CARM Client Portal" in message.body
    assert case.due_local.strftime("%A, %B %-d, %Y") in message.body
    assert case.acknowledged_at is not None and case.acknowledgment_error == ""


def test_failed_email_keeps_the_case_and_is_sent_later(carm_tree, client, monkeypatch, settings):
    """If sending fails for good, the case is kept with the failure, the command reports it, and
    staff can send it again, once."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from cases.outbox import queue as outbox

    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    settings.EMAIL_MAX_ATTEMPTS = 1
    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    response = send(client, contact_url(EC_1012))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.acknowledged_at is None and "ConnectionRefusedError" in case.acknowledgment_error
    with pytest.raises(CommandError):
        call_command("send_queued_emails", "--now", stdout=io.StringIO())
    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert outbox.retry(case.emails.get())
    call_command("send_queued_emails", "--now", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    case.refresh_from_db()
    assert case.acknowledged_at is not None and case.acknowledgment_error == ""


def test_snapshot_survives_tree_edits(carm_tree, client):
    """Editing or deleting the tree later leaves an old case's answers as they read."""
    send(client, contact_url(EC_1012))
    question = Node.objects.get(text_en="Please select one of the following error codes.")
    question.text_en = "Which code?"
    question.save()
    case = Case.objects.get()
    assert case.path[-1]["question"] == "Please select one of the following error codes."
    outcome = case.outcome
    outcome.incoming.all().delete()
    outcome.delete()
    case.refresh_from_db()
    assert case.outcome is None and case.outcome_title == "Error code EC-1012"


def test_pages_with_personal_data_are_never_stored(carm_tree, client, make_case):
    """The contact form sent back with mistakes, the confirmation and the status result: no-store."""
    url = contact_url(EC_1012)
    failed = client.post(url, {**FORM, "email": "ann@", "token": form_token(client, url)})
    assert failed.status_code == 200 and "ann@" in failed.content.decode()
    send(client, url)
    confirmation = client.get(reverse("cases:confirmation"))
    case = make_case()
    client.post(reverse("cases:status"), {"reference": case.display_reference, "email": case.email})
    result = client.get(reverse("cases:status_result"))
    for response in (failed, confirmation, result):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_confirmation_names_the_address_and_keeps_the_reference_whole(carm_tree, client):
    """The reference is shown in unbreakable groups; the page says where the email went, and the
    email links to the status page."""
    send(client, contact_url(EC_1012))
    case = Case.objects.get()
    page = client.get(reverse("cases:confirmation")).content.decode()
    groups = "-<wbr>".join(f'<span class="reference-group">{group}</span>' for group in case.reference_groups)
    assert f'<p class="reference">{groups}</p>' in page
    assert "We sent this reference number to ann@example.org." in page
    (message,) = mail.outbox
    assert "http://127.0.0.1:8000/en/status/" in message.body
    assert "Ann Smith" not in message.body and "EC-1012 when I register" not in message.body


def test_confirmation_says_plainly_when_the_email_was_not_sent(carm_tree, client, monkeypatch, settings):
    def refuse(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    settings.EMAIL_MAX_ATTEMPTS = 1  # no attempt left: the failure is final at once
    send(client, contact_url(EC_1012))
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "We could not send an email to ann@example.org." in page and "keep this reference number" in page
    assert "We sent this reference number" not in page


@pytest.mark.parametrize("email", ["ann@[192.0.2.1]", "ann@192.0.2.1", "ann@localhost", "ann@intranet", "ann@host.123"])
def test_acknowledgments_go_only_to_internet_domains(carm_tree, client, email):
    response = send(client, contact_url(EC_1012), email=email)
    assert 'id="id_email_error"' in response.content.decode() and not Case.objects.exists()


def test_kept_form_pages_give_each_visitor_their_own_tokens(carm_tree, client):
    """The form is rendered once and kept, but each visitor gets a fresh form token and their own
    CSRF token, and each can send it."""
    from django.test import Client

    url = contact_url(EC_1012)
    pages = [browser.get(url).content.decode() for browser in (client, Client(enforce_csrf_checks=True))]
    tokens = [re.search(r'name="token" value="([^"]+)"', page)[1] for page in pages]
    csrf = [re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1] for page in pages]
    assert tokens[0] != tokens[1] and csrf[0] != csrf[1]
    assert "placeholder" not in "".join(tokens + csrf)
    second = Client(enforce_csrf_checks=True)
    page = second.get(url).content.decode()
    data = {
        **FORM,
        "token": re.search(r'name="token" value="([^"]+)"', page)[1],
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1],
    }
    assert second.post(url, data).status_code == 302


def test_at_most_three_acknowledgments_per_address_a_day(carm_tree, client):
    """A fourth case from one address in a day is filed, but no email goes out; the confirmation
    says so, and the pending command does not send it later."""
    from django.core.management import call_command

    for number in range(4):
        send(client, contact_url(EC_1012), email="Ann@Example.org" if number == 3 else "ann@example.org")
    assert Case.objects.count() == 4 and len(mail.outbox) == 3
    last = Case.objects.order_by("-received_at", "-id").first()
    assert last.acknowledgment_withheld and last.acknowledged_at is None
    page = client.get(reverse("cases:confirmation")).content.decode()
    assert "no email was sent to Ann@Example.org" in page
    call_command("send_queued_emails", "--now", stdout=io.StringIO())  # noqa: SIM115
    assert len(mail.outbox) == 3
    send(client, contact_url(EC_1012), email="bob@example.org")
    assert len(mail.outbox) == 4


def test_filing_from_the_form_stays_within_its_queries(carm_tree, client, django_assert_max_num_queries):
    """A contact form POST makes at most 18 queries (in a test, where transactions are savepoints): one
    statement for its rate-limit count, for its mailbox's count and for its session."""
    url = contact_url(EC_1012)
    token = form_token(client, url)
    with django_assert_max_num_queries(18):
        response = client.post(url, {**FORM, "token": token})
    assert response.status_code == 302 and Case.objects.count() == 1
