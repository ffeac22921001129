"""The warnings emailed to staff about a case's reply target (cases.warnings): due soon, or missed.

Written when sent, in the recipient's language (their staff profile's, else the site's default), with
the case's reference, topic and the target, in Eastern time, and a link to the case in the admin. They
quote nothing the client wrote, and name no client.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation

from ..models import OutboundEmail, StaffProfile, StaffWarning
from .emails import written

TEMPLATES = {
    OutboundEmail.Kind.DUE_SOON_WARNING: ("due_soon_warning", StaffWarning.Kind.DUE_SOON),
    OutboundEmail.Kind.TARGET_MISSED: ("target_missed", StaffWarning.Kind.MISSED),
}


def staff_language(user) -> str:
    """The language of emails to this member of staff: their profile's, or the site's default."""
    try:
        return user.staff_profile.language or settings.LANGUAGE_CODE
    except StaffProfile.DoesNotExist:
        return settings.LANGUAGE_CODE


def staff_warning_message(email: OutboundEmail) -> EmailMultiAlternatives:
    """The warning `email` to its recipient: the target it was queued about (its StaffWarning's)."""
    name, warning_kind = TEMPLATES[email.kind]
    case, recipient = email.case, email.recipient
    warning = (
        StaffWarning.objects.filter(case=case, kind=warning_kind, recipient=recipient).order_by("-created_at").first()
    )
    target = warning.target if warning else case.reply_due_at
    language = staff_language(recipient)
    with translation.override(language):
        context = {
            "case": case,
            "language": language,
            "target": target,
            "case_url": settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk]),
            "hours": settings.DUE_SOON_OPEN_HOURS,
        }
        return written(name, context, recipient.email)
