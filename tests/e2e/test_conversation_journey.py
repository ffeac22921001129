"""A case's conversation, in real browsers: a client files a request with a screenshot, staff answer
with a canned response, the reply is emailed (real SMTP), the client opens its link in another
browser, follows up in French with a PDF, and staff download the PDF."""

import re
import time
from email import message_from_string, policy

import pytest
from playwright.sync_api import expect

from cases.models import CannedResponse, Case, CaseEvent, CaseNote, Message
from helpdesk.models import Topic
from tests.cases.pdfs import CLEAN as PDF  # a small well-formed PDF, without scripts
from tests.e2e.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.e2e.test_journeys import fill_contact_form, sign_in, staff

pytestmark = pytest.mark.django_db(transaction=True)

PDF_NAME = "relevé.pdf"
SCREENSHOT_NAME = "ec-1012-error.png"
FOLLOW_UP = "Voici le relevé en PDF."
NOTE = "Internal: the client called twice; do not mention the audit."


@pytest.fixture
def shoot_page(request):
    """shoot_page(page, "name"): like the `shoot` fixture, for any of the test's pages."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    prefix = re.sub(r"\W+", "-", request.node.name).strip("-")

    def shoot(page, name):
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=SCREENSHOTS / f"{prefix}--{name}--{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return shoot


def received(smtp, count, timeout=10):
    """The first `count` emails the SMTP server received, parsed, waiting a little for them."""
    deadline = time.monotonic() + timeout
    while len(smtp.inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp.inbox.messages) >= count, f"{len(smtp.inbox.messages)} email(s) received, {count} expected"
    return [message_from_string(raw, policy=policy.default) for raw in smtp.inbox.messages[:count]]


def plain_text(message):
    """The email's text part, decoded (quoted-printable lines joined)."""
    return message.get_body(preferencelist=("plain",)).get_content()


def assert_posted(response):
    """The conversation form's POST was taken (a redirect, or the page again), not refused."""
    request = response.request
    assert response.status in (200, 302), (
        f"POST {request.url} answered {response.status}; the browser sent Origin: {request.header_value('origin')}"
    )


def test_client_and_staff_converse_with_files(site, page, new_page, smtp, settings, live_server, tmp_path, shoot_page):
    """Request with a screenshot; canned reply, previewed, emailed; the link opened in another browser;
    a follow-up in French with a PDF; staff download it. Internal notes never reach the client."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    topic = Topic.objects.get(slug="portal-access")
    canned = CannedResponse.objects.create(
        title_en="Ask for a statement",
        title_fr="Demander un relevé",
        body_en=(
            "Hello {client_name},\n\nThank you for request {reference} about {topic}. "
            "Please send us **your latest statement** as a PDF."
        ),
        body_fr="Bonjour {client_name},\n\nMerci pour la demande {reference}. Envoyez-nous **votre relevé** en PDF.",
        topic=topic,
    )
    reviewer = staff("reviewer", "Case reviewers")

    # 1. The client files a request with a screenshot of what they see.
    page.goto(f"{site}/en/contact/")
    screenshot = tmp_path / SCREENSHOT_NAME
    screenshot.write_bytes(page.screenshot())
    page.get_by_label(topic.name_en).check()
    fill_contact_form(page)
    page.get_by_label("Screenshots or documents (optional)").set_input_files(screenshot)
    page.get_by_label("I agree that the helpdesk uses this information to answer my request.").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("h1")).to_have_text("Request received")
    reference = page.locator(".reference").inner_text()
    case = Case.objects.get()
    assert reference == case.display_reference
    assert case.attachments.get().name == SCREENSHOT_NAME

    # 2. The acknowledgment arrives.
    (acknowledgment,) = received(smtp, 1)
    assert reference in acknowledgment["Subject"] and acknowledgment["To"] == "ann@example.org"

    # 3. Staff answer with the canned response, previewed, and wait on the client.
    staff_page = new_page("en-CA")
    sign_in(staff_page, site, "reviewer")
    staff_page.goto(f"{site}/admin/cases/case/{case.pk}/change/")
    conversation = staff_page.locator(".case-conversation")
    expect(conversation.get_by_role("link", name=SCREENSHOT_NAME)).to_be_visible()
    staff_page.get_by_label("Canned response").select_option(label=canned.title_en)
    staff_page.get_by_role("button", name="Insert").click()
    body = staff_page.get_by_label("Reply to the client")
    expect(body).to_have_value(re.compile(rf"^Hello Ann Smith,.*{re.escape(reference)}", re.DOTALL))
    staff_page.get_by_role("button", name="Preview").click()
    preview = staff_page.locator(".case-reply-preview")
    expect(preview.locator("strong")).to_have_text("your latest statement")
    expect(preview).not_to_contain_text("**")
    shoot_page(staff_page, "staff-preview")
    staff_page.get_by_label("Waiting on client", exact=True).check()
    staff_page.get_by_role("button", name="Send the reply").click()
    expect(staff_page.locator(".messagelist")).to_contain_text(
        "Your reply was saved on the case and its email to the client is queued."
    )
    assert staff_page.url == f"{site}/admin/cases/case/{case.pk}/change/"
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING_ON_CLIENT and case.reply_due_at is None

    # 4. The reply email, in English, with the link to the conversation.
    _acknowledgment, reply = received(smtp, 2)
    text = plain_text(reply)
    assert reference in reply["Subject"] and "your latest statement" in text and "Hello Ann Smith" in text
    (link,) = re.findall(r"https?://\S+/conversation/open/\S+/", text)
    assert link.startswith(f"{site}/en/conversation/open/")
    token = link.rstrip("/").rpartition("/")[2]

    # An internal note written before the client opens the page: never shown to them.
    CaseNote.objects.create(case=case, author=reviewer, text=NOTE)

    # 5. In another browser, in French, the client opens the link and follows up with a PDF.
    client_page = new_page("fr-CA")
    client_page.goto(link)  # loading the link opens nothing: its button does
    with client_page.expect_response(lambda response: response.url == f"{site}/en/conversation/") as opened:
        client_page.get_by_role("button", name="Open your conversation").click()
    assert "no-store" in opened.value.headers["cache-control"]
    assert client_page.url == f"{site}/en/conversation/" and token not in client_page.url
    thread = client_page.locator("ol.conversation")
    expect(thread.locator(".from-helpdesk strong")).to_have_text("your latest statement")
    assert NOTE not in client_page.content()
    # The link was in English, the reply language; the client writes from the French page.
    with client_page.expect_response(lambda response: response.request.method == "POST") as switched:
        client_page.get_by_role("button", name="Français").click()
    assert_posted(switched.value)
    expect(client_page.locator("html")).to_have_attribute("lang", "fr")
    assert client_page.url == f"{site}/fr/conversation/"
    assert NOTE not in client_page.content()
    client_page.locator("textarea[name=body]").fill(FOLLOW_UP)
    client_page.locator("input[name=attachments]").set_input_files(
        {"name": PDF_NAME, "mimeType": "application/pdf", "buffer": PDF}
    )
    with client_page.expect_response(lambda response: response.request.method == "POST") as sent:
        client_page.locator("#follow-up-form button[type=submit]").click()
    assert_posted(sent.value)
    expect(client_page.locator("[role=status]").first).to_be_visible()
    own = thread.locator(".from-client", has_text=FOLLOW_UP)
    expect(own).to_be_visible()
    expect(own.get_by_role("link", name=PDF_NAME)).to_be_visible()
    assert NOTE not in client_page.content()
    shoot_page(client_page, "client-follow-up")

    # 6. Staff see the follow-up and download its PDF.
    staff_page.reload()
    follow_up = conversation.locator(".case-thread-follow_up")
    expect(follow_up).to_contain_text(FOLLOW_UP)
    expect(conversation.locator(".case-thread-note")).to_contain_text(NOTE)
    with staff_page.expect_download() as download:
        follow_up.get_by_role("link", name=PDF_NAME).click()
    assert download.value.suggested_filename == PDF_NAME
    with open(download.value.path(), "rb") as downloaded:
        assert downloaded.read() == PDF
    shoot_page(staff_page, "staff-follow-up")

    case.refresh_from_db()
    downloads = case.events.filter(code=CaseEvent.Code.ATTACHMENT_DOWNLOADED)
    assert [(event.actor, event.params["name"]) for event in downloads] == [(reviewer, PDF_NAME)]
    message = case.messages.get(kind=Message.Kind.FOLLOW_UP)
    assert message.language == "fr" and message.body == FOLLOW_UP
    assert [attachment.name for attachment in message.attachments.all()] == [PDF_NAME]
    assert case.status == Case.Status.IN_PROGRESS
    assert case.reply_due_at is not None and case.reply_due_at == message.due_at
