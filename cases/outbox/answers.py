"""The automatic answers to emails received (cases.inbound): to a message matching no request, to one
whose files were refused, and to one too large to take in.

Each is queued in the transaction that records the message it answers, at most AUTOMATIC_ANSWERS_PER_DAY
to a mailbox a day (UNMATCHED_ANSWERS_PER_DAY for strangers), and written when sent in English and in
French, the language of the request first when there is one: the sender of an unmatched message may
read either. It says it is automatic (`Auto-Submitted: auto-replied`, RFC 3834), so that no
well-behaved program answers it, and we never answer a message that says so (cases.inbound.matching).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from carmsupport.mail import sender
from carmsupport.middleware import current_request_id

from ..models import InboundEmail, MailboxCount, OutboundEmail
from . import mailboxes
from .emails import rendered_subject
from .queue import enqueue_with

logger = logging.getLogger(__name__)

MB = 1024 * 1024

Kind = OutboundEmail.Kind
TEMPLATES = {
    Kind.UNMATCHED_ANSWER: "unmatched_answer",
    Kind.FILES_REFUSED_ANSWER: "files_refused_answer",
    Kind.TOO_LARGE_ANSWER: "too_large_answer",
}


def queue_answer(inbound: InboundEmail, kind: str) -> OutboundEmail | None:
    """Queue the automatic answer of `kind` to the sender of `inbound`, in the caller's transaction, unless
    their mailbox had its day's answers already; the email, or None."""
    if not inbound.sender:
        return None
    if kind == Kind.UNMATCHED_ANSWER:
        purpose, cap = MailboxCount.Purpose.UNMATCHED_ANSWER, settings.UNMATCHED_ANSWERS_PER_DAY
    else:
        purpose, cap = MailboxCount.Purpose.AUTOMATIC_ANSWER, settings.AUTOMATIC_ANSWERS_PER_DAY
    if not mailboxes.take(inbound.sender, purpose, cap):
        logger.info("Email received %s: no automatic answer, its mailbox had its day's", inbound.pk)
        return None
    now = timezone.now()
    email = OutboundEmail.objects.create(
        case=inbound.case,
        inbound=inbound,
        kind=kind,
        address=inbound.sender,
        created_at=now,
        next_attempt_at=now,
        request_id=current_request_id(),
    )
    enqueue_with(email.pk)
    logger.info("Email %s (%s, case %s) queued", email.pk, kind, email.case_id)
    return email


def answer_message(email: OutboundEmail) -> EmailMultiAlternatives:
    """The automatic answer `email`, in both languages, in reply to the message it answers."""
    inbound, case = email.inbound, email.case
    first = case.preferred_language if case is not None else "en"
    languages = [first, *(language for language in ("en", "fr") if language != first)]
    name, parts = TEMPLATES[email.kind], []
    for language in languages:
        with translation.override(language):
            context = {
                "case": case,
                "inbound": inbound,
                "language": language,
                "contact_url": settings.SITE_URL + reverse("cases:contact"),
                "status_url": settings.SITE_URL + reverse("cases:status"),
                "size": settings.INBOUND_EMAIL_MAX_BYTES // MB,
                "file_size": settings.ATTACHMENT_MAX_BYTES // MB,
                "total_size": settings.ATTACHMENTS_MAX_BYTES_PER_MESSAGE // MB,
            }
            parts.append(
                {
                    "language": language,
                    "subject": rendered_subject(name, context),
                    "text": render_to_string(f"cases/email/{name}.txt", context),
                }
            )
    subject = " / ".join(part["subject"] for part in parts)
    text = "\n\n---\n\n".join(part["text"].strip() for part in parts) + "\n"
    html = render_to_string("cases/email/automatic_answer.html", {"subject": subject, "parts": parts})
    message = EmailMultiAlternatives(subject, text, sender(first), [email.address])
    message.attach_alternative(html, "text/html")
    message.extra_headers.update(
        {
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "In-Reply-To": inbound.internet_message_id,
            "References": inbound.internet_message_id,
        }
    )
    return message
