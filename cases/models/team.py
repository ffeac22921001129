"""Who works on cases: the helpdesk's teams, the topics each owns, and each member of staff's away dates.

A case goes to the team that owns its topic when it is filed, or to the default team when none does
(cases.teams.team_for). A topic belongs to at most one team (the team form checks it), and exactly one
team is the default.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from carmsupport.bilingual import Translated, bilingual
from helpdesk.models import Topic


class Team(models.Model):
    """A group of staff who answer the cases of some topics."""

    name_en, name_fr = bilingual(models.CharField, _("name"), max_length=200, help_text=_('Example: "Payments"'))
    topics = models.ManyToManyField(
        Topic,
        verbose_name=_("topics"),
        blank=True,
        related_name="teams",
        help_text=_("The team gets the cases of these topics. A topic belongs to one team at most."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="teams"
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leads"),
        blank=True,
        related_name="teams_led",
        help_text=_("Leads are members of the team too."),
    )
    round_robin = models.BooleanField(
        _("assign new cases in turn"),
        default=False,
        help_text=_(
            "Each new case is assigned to the member assigned a case least recently, among those who are "
            "active, may view cases and are not away today."
        ),
    )
    is_default = models.BooleanField(
        _("default team"),
        default=False,
        help_text=_("Gets the cases of topics no team owns. Exactly one team is the default."),
    )

    name = Translated()

    class Meta:
        ordering = ["name_en", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="cases_team_one_default"
            )
        ]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """What the helpdesk knows of a member of staff besides their account: when they are away, the
    language of the emails sent to them, and how they are told of each kind of news about cases."""

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    class Notify(models.TextChoices):
        AT_ONCE = "at_once", _("At once")
        DIGEST = "digest", _("In a daily digest, at 7 am Eastern on business days")
        NEVER = "never", _("Never")

    # The field of each kind of notification (StaffNotification.Kind), with its default; a client's
    # "No" to "Did we resolve your request?", and their address refusing our email, come as their
    # follow-ups do.
    NOTIFY_FIELDS = {
        "new_case": ("notify_new_case", Notify.DIGEST),
        "assigned": ("notify_assigned", Notify.AT_ONCE),
        "follow_up": ("notify_follow_up", Notify.AT_ONCE),
        "not_resolved": ("notify_follow_up", Notify.AT_ONCE),
        "bounced": ("notify_follow_up", Notify.AT_ONCE),
        "due_soon": ("notify_due_soon", Notify.AT_ONCE),
        "missed": ("notify_missed", Notify.AT_ONCE),
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member of staff"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
        editable=False,
    )
    away_from = models.DateField(
        _("away from"),
        null=True,
        blank=True,
        help_text=_("The first day you are away. Left empty with a last day: away from today."),
    )
    away_until = models.DateField(
        _("away until"),
        null=True,
        blank=True,
        help_text=_("The last day you are away. Left empty with a first day: away until you empty the first day."),
    )
    language = models.CharField(
        _("language of emails to you"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the language of your browser."),
    )
    # The language of the staff site when they last signed in: "the language of your browser".
    signed_in_language = models.CharField(max_length=2, blank=True, editable=False)
    notify_new_case = models.CharField(
        _("a new case in my team's queue"), max_length=10, choices=Notify.choices, default=Notify.DIGEST
    )
    notify_assigned = models.CharField(
        _("a case assigned to me"), max_length=10, choices=Notify.choices, default=Notify.AT_ONCE
    )
    notify_follow_up = models.CharField(
        _("a client's follow-up on my case, or on my team's unassigned case"),
        max_length=10,
        choices=Notify.choices,
        default=Notify.AT_ONCE,
    )
    notify_due_soon = models.CharField(
        _("a reply due soon"), max_length=10, choices=Notify.choices, default=Notify.AT_ONCE
    )
    notify_missed = models.CharField(
        _("a reply target missed"), max_length=10, choices=Notify.choices, default=Notify.AT_ONCE
    )
    # When a case was last assigned to them: the round-robin gives the next case to whoever had one
    # least recently.
    last_assigned_at = models.DateTimeField(_("last assigned a case"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return self.user.get_username()

    def clean(self):
        if self.away_from and self.away_until and self.away_until < self.away_from:
            raise ValidationError({"away_until": _("The last day away cannot come before the first.")})

    @classmethod
    def notify_fields(cls) -> list[str]:
        """The fields of the choices of notifications, one a kind, in the order of the kinds."""
        return list(dict.fromkeys(field for field, _default in cls.NOTIFY_FIELDS.values()))

    def email_language(self) -> str:
        """The language of emails to them: the one they chose, else their browser's when they last
        signed in, else the site's default."""
        return self.language or self.signed_in_language or settings.LANGUAGE_CODE

    def notify(self, kind: str) -> str:
        """How they want to be told of news of `kind` (a StaffNotification.Kind): a Notify."""
        field, _default = self.NOTIFY_FIELDS[kind]
        return getattr(self, field)

    def is_away(self, day) -> bool:
        """Whether they are away on `day` (a date in Eastern time)."""
        if self.away_from is None and self.away_until is None:
            return False
        return (self.away_from is None or self.away_from <= day) and (self.away_until is None or day <= self.away_until)


def may_view_cases():
    """The condition of users who may view cases: superusers, and those given the permission
    directly or through a group (as the model backend reads it)."""
    from .case import VIEW_CASES  # the case module needs this one's Team

    app_label, codename = VIEW_CASES.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    users = get_user_model().objects
    return (
        models.Q(is_superuser=True)
        | models.Q(pk__in=users.filter(user_permissions__in=permission).values("pk"))
        | models.Q(pk__in=users.filter(groups__permissions__in=permission).values("pk"))
    )


def present_on(day):
    """The condition of users not away on `day`: no profile, no away dates, or `day` outside them; the
    rule of StaffProfile.is_away, for a query of users."""
    return (
        models.Q(staff_profile__isnull=True)
        | models.Q(staff_profile__away_from__isnull=True, staff_profile__away_until__isnull=True)
        | models.Q(staff_profile__away_from__gt=day)
        | models.Q(staff_profile__away_until__lt=day)
    )
