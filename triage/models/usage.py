"""How clients use a tree: feedback on outcomes and daily counts of each step, with nothing of one
visitor."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tree import Node, Tree


class OutcomeFeedback(models.Model):
    """One anonymous answer to "Did you find what you were looking for?" on an outcome."""

    outcome = models.ForeignKey(Node, verbose_name=_("outcome"), on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("helpful"))
    created_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome feedback")
        verbose_name_plural = _("outcome feedback")

    def __str__(self):
        return f"{self.outcome_id}: {'yes' if self.helpful else 'no'}"


class StepCount(models.Model):
    """How many times, on one day (Toronto time), a step of a tree was shown, one of its choices taken,
    or the contact form opened from it, in one language.

    Daily totals only: nothing about who, no cookie, no address. Written by triage.analytics, which
    adds each process's counts in memory and adds them to these rows every few seconds.
    """

    class Kind(models.TextChoices):
        VISIT = "visit", _("Page shown")
        CHOICE = "choice", _("Choice taken")
        CONTACT_START = "contact_start", _("Contact form opened")

    # Not indexed alone: both indexes below start with it.
    tree = models.ForeignKey(
        Tree, verbose_name=_("help tree"), on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Not a foreign key: the counts stay when the node is deleted from the tree later.
    node_id = models.BigIntegerField(_("node id"))
    choice_slug = models.CharField(_("choice"), max_length=80, blank=True, help_text=_("For a choice taken."))
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=2, choices=settings.LANGUAGES)
    count = models.PositiveBigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("step count")
        verbose_name_plural = _("step counts")
        constraints = [
            models.UniqueConstraint(
                fields=["tree", "node_id", "choice_slug", "day", "kind", "language"], name="step_count_unique"
            ),
        ]
        indexes = [models.Index(fields=["tree", "day"], name="step_count_tree_day")]

    def __str__(self):
        return f"{self.tree_id}/{self.node_id}/{self.choice_slug} {self.day} {self.kind} {self.language}: {self.count}"
