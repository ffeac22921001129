"""The emails the portal writes to clients: the acknowledgment of a request, staff replies, a
fresh conversation link the client asked for, the notice that a case was merged into another, and
the word that a request is resolved.

Each is written in the client's preferred language when it is sent (cases.outbox.queue), as plain text
with an HTML alternative. They quote nothing the client wrote; a reply carries the staff member's
text only, signed by the helpdesk, not by a person. Each links to the client's conversation page
with a signed link (cases.tokens), and says where to ask for a new link once it has expired. The
email that resolves a case (the reply that does, or the resolution email when no reply does) asks
"Did we resolve your request?" with two signed links, Yes and No, each good for RESOLVED_LINK_DAYS.
When the site takes email (INBOUND_EMAIL_ADDRESS), each has a Reply-To naming its case
(cases.inbound.addresses), so that the client's Reply reaches the case.
"""

import re

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from carmsupport.mail import sender
from triage.guidance import render_markdown

from ..inbound.addresses import reply_address
from ..models import SatisfactionAnswer
from ..tokens import RESOLVED_LINK_DAYS, conversation_token, resolved_token


def acknowledgment_message(case) -> EmailMultiAlternatives:
    """The acknowledgment of a filed case: its reference, topic and target, and the client's links."""
    return _message(case, "acknowledgment", {})


def reply_message(case, message, asks_if_resolved=False) -> EmailMultiAlternatives:
    """A staff reply: the Markdown as written in the text part, rendered safely in the HTML part; with
    `asks_if_resolved` (the reply resolves the case), the question and its links."""
    return _message(
        case,
        "reply",
        # render_markdown shows raw HTML as text and drops unsafe links.
        {"body": message.body, "body_html": mark_safe(render_markdown(message.body))},  # noqa: S308
        asks_if_resolved=asks_if_resolved,
    )


def resolution_message(case) -> EmailMultiAlternatives:
    """The word that a request is resolved, when no reply said so, with the question and its links."""
    return _message(case, "resolution", {}, asks_if_resolved=True)


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


def _resolved_links(case) -> dict:
    """The question's two links, each recording its answer once the client confirms it."""
    return {
        "resolved_urls": {
            answer: settings.SITE_URL + reverse("cases:resolved_answer", args=[resolved_token(case, answer)])
            for answer in SatisfactionAnswer.Answer.values
        },
        "resolved_link_days": RESOLVED_LINK_DAYS,
    }


def rendered_subject(name: str, context: dict) -> str:
    """The subject template `name` rendered on one line. Only ASCII spaces and line breaks are
    squeezed: the no-break spaces of French typography (« : ») stay."""
    return re.sub(r"[ \t\r\n]+", " ", render_to_string(f"cases/email/{name}_subject.txt", context)).strip()


def written(name: str, context: dict, address: str) -> EmailMultiAlternatives:
    """The email `name` to `address`, written in the active language: its subject on one line, its
    plain text, and its HTML alternative."""
    subject = rendered_subject(name, context)
    context = {**context, "subject": subject}
    text = render_to_string(f"cases/email/{name}.txt", context)
    html = render_to_string(f"cases/email/{name}.html", context)
    email = EmailMultiAlternatives(subject, text, sender(), [address])
    email.attach_alternative(html, "text/html")
    return email


def _message(case, name: str, extra: dict, links_of=None, asks_if_resolved=False) -> EmailMultiAlternatives:
    """The email `name` to the client of `case`, in their language, linking to the pages of `links_of`
    (the case itself unless given), and asking whether the request was resolved if it should."""
    with translation.override(case.preferred_language):
        context = {"case": case, "language": case.preferred_language, **_links(links_of or case), **extra}
        if asks_if_resolved:
            context.update(_resolved_links(case))
        email = written(name, context, case.email)
    if reply_to := reply_address(links_of or case):
        email.reply_to = [reply_to]
    return email
