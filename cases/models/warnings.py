"""Staff warned about a case's reply target: before it falls due, and when it is missed.

A warning exists once for a case, a kind, a target (the `reply_due_at` it is about) and a recipient:
the unique constraint is what makes `check_due_cases` send each warning once, even when two runs
meet (cases.warnings).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case


class StaffWarning(models.Model):
    """A member of staff told that a case's reply is due soon, or that its target was missed."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("reply due soon")
        MISSED = "missed", _("reply target missed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="staff_warnings")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.DateTimeField(_("reply target"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("warned"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("staff warning")
        verbose_name_plural = _("staff warnings")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "target", "recipient"], name="staff_warning_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case}"
