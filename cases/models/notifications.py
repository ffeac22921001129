"""What staff are told about cases, each recorded once: a new case in their team's queue, a case
assigned to them, a client's follow-up, a reply due soon, a target missed, a client's "No", the
client's address refusing our email.

A notification is a row for one recipient. What it is about makes it unique, so that whoever
writes it twice (two runs of `check_due_cases` at once, a job run again) writes it once:
- the warnings (due soon, missed) are unique per case, kind, reply target and recipient;
- the others are unique per audit-trail event (the case received, assigned, followed up...) and
  recipient, and are written in the same transaction as their event.

A notification goes at once, in its own email, or waits for the recipient's next daily digest
(cases.notifications); `email` is the email that carried it, empty while it waits.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .case import Case
from .events import CaseEvent
from .outbox import OutboundEmail


class StaffNotification(models.Model):
    """A member of staff told something about a case."""

    class Kind(models.TextChoices):
        NEW_CASE = "new_case", _("new case in my team's queue")
        ASSIGNED = "assigned", _("case assigned to me")
        FOLLOW_UP = "follow_up", _("client's follow-up")
        DUE_SOON = "due_soon", _("reply due soon")
        MISSED = "missed", _("reply target missed")
        NOT_RESOLVED = "not_resolved", _("client answered that the request was not resolved")
        BOUNCED = "bounced", _("the client's address refused our email")

        @classmethod
        def warnings(cls):
            """The kinds about a reply target, written by check_due_cases."""
            return [cls.DUE_SOON, cls.MISSED]

    class Delivery(models.TextChoices):
        AT_ONCE = "at_once", _("At once")
        DIGEST = "digest", _("In a daily digest")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The reply target it is about: the one warned of, or the case's next target when it was written.
    target = models.DateTimeField(_("reply target"), null=True, blank=True)
    # What happened, for the kinds other than warnings.
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(pgettext_lazy("notification", "written"), default=timezone.now)
    delivery = models.CharField(_("sent"), max_length=10, choices=Delivery.choices, default=Delivery.AT_ONCE)
    email = models.ForeignKey(
        OutboundEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("staff notification")
        verbose_name_plural = _("staff notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "target", "recipient"],
                condition=models.Q(kind__in=["due_soon", "missed"]),
                name="staff_warning_once",
            ),
            models.UniqueConstraint(
                fields=["event", "recipient"], condition=models.Q(event__isnull=False), name="staff_notification_once"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(delivery="digest", email__isnull=True),
                name="staff_notification_waiting",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case}"
