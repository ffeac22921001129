"""Support cases filed through the contact form, and the topics they are filed under."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResponseClass(models.TextChoices):
    """How long the helpdesk has to answer, in its business days."""

    STANDARD = "standard", _("Standard (2 business days)")
    FINANCIAL = "financial", _("Financial account (15 business days)")

    @property
    def business_days(self) -> int:
        return {"standard": 2, "financial": 15}[self.value]


class TopicManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(models.Model):
    """One of the subjects the helpdesk supports, as offered on the contact form."""

    objects = TopicManager()

    slug = models.SlugField(_("slug"), unique=True, help_text=_('Example: "cad"'))
    name_en = models.CharField(
        _("name (English)"), max_length=200, help_text=_('Example: "The Commercial Accounting Declaration (CAD)"')
    )
    response_class = models.CharField(
        _("response class"), max_length=20, choices=ResponseClass.choices, default=ResponseClass.STANDARD
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Topics are listed in this order."))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en

    def natural_key(self):
        return (self.slug,)
