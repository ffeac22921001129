"""What clients see of a tree: the numbered releases staff publish."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .tree import Tree


class Release(models.Model):
    """A published state of a tree: a snapshot of all its texts in both languages, never changed.

    Clients walk the tree's current release; publishing adds a release and switches to it, and
    rolling back publishes an earlier one's snapshot again, as a new release.
    """

    tree = models.ForeignKey(Tree, verbose_name=_("help tree"), on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField(_("release"))
    snapshot = models.JSONField(_("snapshot"))
    note = models.TextField(_("what changed"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    restores = models.ForeignKey(
        "self",
        verbose_name=_("restores release"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a rollback: the earlier release published again."),
    )

    class Meta:
        ordering = ["tree", "-number"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [models.UniqueConstraint(fields=["tree", "number"], name="release_number_unique_per_tree")]

    def __str__(self):
        return _("%(tree)s, release %(number)s") % {"tree": self.tree.slug, "number": self.number}
