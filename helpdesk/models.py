"""What the help tool and the cases share: the topics the helpdesk supports, how long it has to
answer each, and the days it is closed besides the designated holidays."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from carmsupport.bilingual import Translated, bilingual

from .calendar import eastern_date, response_due


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

    slug = models.SlugField(_("slug"), unique=True, help_text=_('Example: "cad"'))
    name_en, name_fr = bilingual(
        models.CharField,
        _("name"),
        max_length=200,
        help_text=_('Example: "The Commercial Accounting Declaration (CAD)"'),
    )
    response_class = models.CharField(
        _("response class"), max_length=20, choices=ResponseClass.choices, default=ResponseClass.STANDARD
    )
    position = models.PositiveIntegerField(_("position"), default=0, help_text=_("Topics are listed in this order."))

    objects = TopicManager()

    class Meta:
        ordering = ["position", "id"]
        db_table = "cases_topic"  # made by the cases app, before the helpdesk app existed
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    name = Translated()

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class ClosureDay(models.Model):
    """A day the helpdesk is closed besides the designated paid holidays, e.g. for a storm."""

    date = models.DateField(_("date"), unique=True)
    reason_en, reason_fr = bilingual(
        models.CharField, _("reason"), max_length=200, help_text=_('Example: "Christmas Eve afternoon"')
    )
    reason = Translated()

    class Meta:
        db_table = "cases_closureday"
        ordering = ["date"]
        verbose_name = _("closure day")
        verbose_name_plural = _("closure days")

    def __str__(self):
        return f"{self.date:%Y-%m-%d} ({self.reason})"

    @classmethod
    def dates_from(cls, first):
        return set(cls.objects.filter(date__gte=first).values_list("date", flat=True))


def response_target(received_at, business_days: int):
    """helpdesk.calendar.response_due with the closure days staff entered: when the helpdesk must
    have answered what it received at `received_at`, within `business_days`."""
    return response_due(received_at, business_days, ClosureDay.dates_from(eastern_date(received_at)))
