"""A case: the request a client filed, its status and response targets, staff's notes on it and who
opened it."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.calendar import eastern
from helpdesk.models import ResponseClass, Topic

from .team import Team

# The permissions staff pages check by name.
VIEW_CASES = "cases.view_case"
CHANGE_CASES = "cases.change_case"
VIEW_SERVICE_STANDARD = "cases.view_service_standard"


def overdue(now=None):
    """The condition of cases with a client message still unanswered after its response target."""
    return models.Q(reply_due_at__lt=now or timezone.now(), status__in=Case.Status.open_statuses())


class Case(models.Model):
    """A request a client sent through the contact form."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        WAITING_ON_CLIENT = "waiting", _("Waiting on client")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

        @classmethod
        def open_statuses(cls):
            return [cls.NEW, cls.IN_PROGRESS, cls.WAITING_ON_CLIENT]

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        FRENCH = "fr", _("French")

    class Channel(models.TextChoices):
        """How a response reached the client."""

        REPLY = "reply", _("Reply from the case page")
        TELEPHONE = "telephone", _("Telephone")
        EMAIL = "email", _("Email sent outside the case")

    reference = models.CharField(_("reference"), max_length=9, unique=True, editable=False)
    submission_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    due_at = models.DateTimeField(_("response due"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="cases")
    response_class = models.CharField(_("response class"), max_length=20, choices=ResponseClass.choices)
    outcome = models.ForeignKey(
        "triage.Node",
        verbose_name=_("help tool outcome"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    release = models.ForeignKey(
        "triage.Release",
        verbose_name=_("help tool release"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="cases",
        help_text=_("The release of the help tree the client walked."),
    )
    # The questions and answers as they read when the client sent the request:
    # [{"question": "...", "answer": "..."}, ...], then the outcome's title.
    path = models.JSONField(_("answers in the help tool"), default=list, blank=True, editable=False)
    outcome_title = models.CharField(_("guidance reached"), max_length=300, blank=True, editable=False)

    # What the client tells about themselves, the one list of it: the contact form asks for it, a
    # follow-on case copies it, and anonymisation blanks it (with the description).
    PERSONAL_DETAILS = ("full_name", "email", "telephone", "business_name", "business_number")

    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email address"), max_length=254)
    telephone = models.CharField(_("telephone"), max_length=40, blank=True)
    business_name = models.CharField(_("business legal name"), max_length=300, blank=True)
    business_number = models.CharField(_("business number"), max_length=15, blank=True)
    language = models.CharField(
        _("language of the request"),
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text=_("The language of the pages the client filed it from."),
    )
    preferred_language = models.CharField(
        _("preferred language for the reply"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    description = models.TextField(_("description"))

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    # The team whose queue the case is in: that of its topic when filed, else the default team; staff
    # move it to another through cases.services.case_change.
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    first_response_at = models.DateTimeField(_("first response sent"), null=True, blank=True, editable=False)
    first_response_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first response sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledgment sent"), null=True, blank=True, editable=False)
    acknowledgment_error = models.CharField(_("acknowledgment failure"), max_length=500, blank=True, editable=False)
    acknowledgment_withheld = models.BooleanField(
        _("acknowledgment withheld"),
        default=False,
        editable=False,
        help_text=_("No acknowledgment was sent: the address had had its daily number already."),
    )
    first_response_channel = models.CharField(
        _("first response given by"), max_length=20, choices=Channel.choices, blank=True, editable=False
    )
    # The earliest target of the client's messages still unanswered (the request's, then each
    # follow-up's); empty while nothing waits for an answer, so no clock runs.
    reply_due_at = models.DateTimeField(_("next reply due"), null=True, blank=True, editable=False)
    # Part of the client's conversation link; a new one revokes every link sent before, and an
    # empty one means no link opens the case.
    conversation_key = models.CharField(max_length=64, blank=True, editable=False)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("follows case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="followed_by",
        help_text=_("The earlier case a client answered after it was resolved."),
    )
    # Set when staff merge this case into another of the same client (cases.merging): that case
    # continues this one, and this one is closed.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="merged_cases",
        help_text=_("The case that continues this one: its conversation, files, notes and audit trail moved there."),
    )
    # The reply target (a reply_due_at value) whose miss was told to the team's leads; the case is
    # escalated while its next reply is still due then (cases.warnings).
    escalated_target = models.DateTimeField(_("escalated target"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("personal data removed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("view_service_standard", _("Can view the service-standard report"))]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["status", "reply_due_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["email"]),
            # The acknowledgments an address had today, whatever the case of its letters.
            models.Index(Lower("email"), "acknowledged_at", name="case_email_acknowledged"),
        ]

    def __str__(self):
        return self.display_reference

    @property
    def status_for_client(self):
        """The status in the client's words: "Waiting for your answer" where staff read "Waiting on client"."""
        return {
            self.Status.NEW: _("Received"),
            self.Status.IN_PROGRESS: _("In progress"),
            self.Status.WAITING_ON_CLIENT: _("Waiting for your answer"),
            self.Status.RESOLVED: _("Resolved"),
            self.Status.CLOSED: _("Closed"),
        }[self.status]

    @property
    def display_reference(self):
        from ..intake.references import display

        return display(self.reference)

    @property
    def reference_groups(self):
        """The reference in its groups, ["CS", "7KQ", "2M9", "XDT"], to show without breaking inside one."""
        return self.display_reference.split("-")

    @property
    def due_local(self):
        """The response target in the helpdesk's time zone."""
        return eastern(self.due_at)

    @property
    def received_local(self):
        return eastern(self.received_at)

    @property
    def reply_due_local(self):
        return eastern(self.reply_due_at) if self.reply_due_at else None

    @property
    def is_open(self):
        return self.status in self.Status.open_statuses()

    @property
    def is_overdue(self):
        return self.reply_due_at is not None and self.is_open and self.reply_due_at < timezone.now()

    @property
    def is_escalated(self):
        """Whether its missed reply target was told to the team's leads, and still waits for a reply."""
        return self.is_open and self.reply_due_at is not None and self.reply_due_at == self.escalated_target

    @property
    def met_standard(self):
        """Whether the first response went out by the target; None while there is none."""
        if self.first_response_at is None:
            return None
        return self.first_response_at <= self.due_at


class CaseNote(models.Model):
    """An internal note on a case, seen by staff only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.SET_NULL, null=True, editable=False
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now, editable=False)
    text = models.TextField(_("note"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return _("Note of %(date)s") % {"date": f"{self.created_at:%Y-%m-%d %H:%M}"}


class CaseAccess(models.Model):
    """A member of staff opened a case: who, which, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self):
        return f"{self.case} {self.at:%Y-%m-%d %H:%M}"
