"""The emails the portal writes to clients: the acknowledgment of a request, staff replies, a
fresh conversation link the client asked for, and the notice that a case was merged into another.

Each is written in the client's preferred language when it is sent (cases.outbox.queue), as plain text
with an HTML alternative. They quote nothing the client wrote; a reply carries the staff member's
text only, signed by the helpdesk, not by a person. Each links to the client's conversation page
with a signed link (cases.tokens), and says where to ask for a new link once it has expired.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from triage.guidance import render_markdown

from ..tokens import conversation_token


def acknowledgment_message(case) -> EmailMultiAlternatives:
    """The acknowledgment of a filed case: its reference, topic and target, and the client's links."""
    return _message(case, "acknowledgment", {})


def reply_message(case, message) -> EmailMultiAlternatives:
    """A staff reply: the Markdown as written in the text part, rendered safely in the HTML part."""
    return _message(
        case,
        "reply",
        # render_markdown shows raw HTML as text and drops unsafe links.
        {"body": message.body, "body_html": mark_safe(render_markdown(message.body))},  # noqa: S308
    )


def link_message(case) -> EmailMultiAlternatives:
    """A fresh link to the conversation, which the client asked for on the site."""
    return _message(case, "conversation_link", {})


def merged_message(case) -> EmailMultiAlternatives:
    """The notice that the client's case was merged into another (cases.merging): the reference that
    continues, and the links to that case's conversation and status."""
    return _message(case, "merged", {"continuing": case.merged_into}, links_of=case.merged_into)


def _links(case) -> dict:
    links = {
        "status_url": settings.SITE_URL + reverse("cases:status"),
        "link_request_url": settings.SITE_URL + reverse("cases:conversation_link"),
        "link_days": settings.CONVERSATION_LINK_DAYS,
        "conversation_url": "",
    }
    if case.conversation_key:  # no key: no link opens the case, so none is sent
        links["conversation_url"] = settings.SITE_URL + reverse(
            "cases:conversation_open", args=[conversation_token(case)]
        )
    return links


def _message(case, name: str, extra: dict, links_of=None) -> EmailMultiAlternatives:
    """The email `name` to the client of `case`, in their language, linking to the pages of `links_of`
    (the case itself unless given)."""
    with translation.override(case.preferred_language):
        context = {"case": case, "language": case.preferred_language, **_links(links_of or case), **extra}
        subject = " ".join(render_to_string(f"cases/email/{name}_subject.txt", context).split())
        context["subject"] = subject
        text = render_to_string(f"cases/email/{name}.txt", context)
        html = render_to_string(f"cases/email/{name}.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [case.email])
    email.attach_alternative(html, "text/html")
    return email
