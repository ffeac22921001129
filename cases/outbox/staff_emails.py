"""The emails to staff about cases (cases.notifications): a notice of one piece of news, a warning
about a reply target (due soon, or missed), and the daily digest of several.

Written when sent, in the recipient's language (StaffProfile.email_language), with each case's
reference, topic and reply target, in Eastern time, and a link to the case in the admin. They quote
nothing the client wrote, and name no client.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..models import OutboundEmail, StaffNotification, StaffProfile
from .emails import written

Kind = StaffNotification.Kind
WARNINGS = {
    OutboundEmail.Kind.DUE_SOON_WARNING: "due_soon_warning",
    OutboundEmail.Kind.TARGET_MISSED: "target_missed",
}
# The digest's sections, in this order.
DIGEST_GROUPS = {
    Kind.MISSED: _("Reply targets missed"),
    Kind.DUE_SOON: _("Replies due soon"),
    Kind.NOT_RESOLVED: _("Requests not resolved, the client says"),
    Kind.BOUNCED: _("Clients' addresses that refused our email"),
    Kind.FOLLOW_UP: _("Clients' follow-ups"),
    Kind.ASSIGNED: _("Cases assigned to you"),
    Kind.NEW_CASE: _("New cases in your team's queue"),
}


def staff_language(user) -> str:
    """The language of emails to this member of staff (StaffProfile.email_language)."""
    try:
        return user.staff_profile.email_language()
    except StaffProfile.DoesNotExist:
        return settings.LANGUAGE_CODE


def case_url(case) -> str:
    return settings.SITE_URL + reverse("admin:cases_case_change", args=[case.pk])


def staff_message(email: OutboundEmail) -> EmailMultiAlternatives:
    """The email `email` to its member of staff, from the notifications it carries."""
    notifications = list(email.notifications.select_related("case__topic", "case__team").order_by("created_at", "pk"))
    recipient = email.recipient
    language = staff_language(recipient)
    with translation.override(language):
        if email.kind == OutboundEmail.Kind.STAFF_DIGEST:
            return written("staff_digest", _digest(notifications, language), recipient.email)
        notification = notifications[0] if notifications else None
        case = email.case
        context = {
            "case": case,
            "language": language,
            "kind": notification.kind if notification else "",
            "target": notification.target if notification else case.reply_due_at,
            "case_url": case_url(case),
            "hours": settings.DUE_SOON_OPEN_HOURS,
        }
        return written(WARNINGS.get(email.kind, "staff_notice"), context, recipient.email)


def _digest(notifications, language) -> dict:
    for notification in notifications:
        notification.case_url = case_url(notification.case)
    groups = [
        {"title": title, "notifications": [each for each in notifications if each.kind == kind]}
        for kind, title in DIGEST_GROUPS.items()
    ]
    return {
        "language": language,
        "notifications": notifications,
        "groups": [group for group in groups if group["notifications"]],
        "profile_url": settings.SITE_URL + reverse("admin:cases_staffprofile_mine"),
    }
