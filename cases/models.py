"""Support cases filed through the contact form, their conversation and the emails sent about them."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carmsupport.bilingual import Translated, bilingual
from helpdesk.calendar import eastern
from helpdesk.models import ResponseClass, Topic

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
    def display_reference(self):
        from .references import display

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


class CaseEvent(models.Model):
    """One entry of a case's audit trail: who did what, and when.

    What happened is stored as a code and its parameters, not as a sentence, so that
    each member of staff reads the trail in their own language.
    """

    class Code(models.TextChoices):
        RECEIVED = "received", _("Received through the contact form")
        ACKNOWLEDGED = "acknowledged", _("Acknowledgment email sent")
        ACKNOWLEDGMENT_FAILED = "acknowledgment_failed", _("Acknowledgment email not sent")
        ACKNOWLEDGMENT_WITHHELD = (
            "acknowledgment_withheld",
            _("Acknowledgment email withheld: the address had its daily number already"),
        )
        STATUS_CHANGED = "status_changed", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        FIRST_RESPONSE = "first_response", _("First response recorded")
        NOTE_ADDED = "note_added", _("Internal note added")
        REPLY_SENT = "reply_sent", _("Reply sent to the client")
        FOLLOW_UP_RECEIVED = "follow_up_received", _("Follow-up received from the client")
        REOPENED = "reopened", _("Reopened by the client's follow-up")
        FOLLOWED_BY = "followed_by", _("The client's follow-up filed a new case")
        EMAIL_SENT = "email_sent", _("Email sent")
        EMAIL_FAILED = "email_failed", _("Email not sent")
        EMAIL_UNCONFIRMED = "email_unconfirmed", _("Email sent, unconfirmed")
        ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("Attachment downloaded")
        LINK_REVOKED = "link_revoked", _("Conversation links revoked")
        LINK_REQUESTED = "link_requested", _("Conversation link emailed at the client's request")
        LINK_WITHHELD = (
            "link_withheld",
            _("Conversation link not emailed: the address had its daily number already"),
        )
        ANONYMISED = "anonymised", _("Personal data removed after the retention period")
        TEXT = "text", _("Event written as text")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True)
    code = models.CharField(_("event"), max_length=30, choices=Code.choices)
    params = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return self.description

    @property
    def description(self) -> str:
        """The event as a sentence in the active language."""
        return str(self._sentence())

    def _sentence(self):
        params = self.params or {}
        match self.code:
            case self.Code.ACKNOWLEDGMENT_FAILED:
                return _("Acknowledgment email not sent: %(error)s") % {"error": params.get("error", "?")}
            case self.Code.STATUS_CHANGED:
                return _("Status changed from %(old)s to %(new)s") % {
                    "old": _status_label(params.get("old")),
                    "new": _status_label(params.get("new")),
                }
            case self.Code.ASSIGNED:
                return _("Assigned to %(user)s") % {"user": params.get("user", "?")}
            case self.Code.FIRST_RESPONSE if params.get("channel"):
                return _("First response recorded: %(channel)s (%(met)s)") % {
                    "channel": _channel_label(params["channel"]),
                    "met": _("target met") if params.get("met") else _("target missed"),
                }
            case self.Code.FIRST_RESPONSE:
                return (
                    _("First response recorded (target met)")
                    if params.get("met")
                    else _("First response recorded (target missed)")
                )
            case self.Code.FOLLOWED_BY:
                return _("The client's follow-up filed case %(reference)s") % {
                    "reference": params.get("reference", "?")
                }
            case self.Code.EMAIL_SENT:
                return _("Email sent: %(kind)s") % {"kind": _email_kind_label(params.get("kind"))}
            case self.Code.EMAIL_FAILED:
                return _("Email not sent: %(kind)s, attempt %(attempt)s (%(error)s)") % {
                    "kind": _email_kind_label(params.get("kind")),
                    "attempt": params.get("attempt", "?"),
                    "error": params.get("error", "?"),
                }
            case self.Code.EMAIL_UNCONFIRMED:
                return _(
                    "Email sent, unconfirmed: %(kind)s, attempt %(attempt)s (%(error)s after the mail server "
                    "had the whole email)"
                ) % {
                    "kind": _email_kind_label(params.get("kind")),
                    "attempt": params.get("attempt", "?"),
                    "error": params.get("error", "?"),
                }
            case self.Code.ATTACHMENT_DOWNLOADED:
                return _("Attachment downloaded: %(name)s") % {"name": params.get("name", "?")}
            case self.Code.TEXT:
                return params.get("text", "")
        return str(self.Code(self.code).label)


def _status_label(code):
    return Case.Status(code).label if code in Case.Status.values else code


def _channel_label(code):
    return Case.Channel(code).label if code in Case.Channel.values else code


def _email_kind_label(code):
    return OutboundEmail.Kind(code).label if code in OutboundEmail.Kind.values else code


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


class Message(models.Model):
    """A message of a case's conversation after the client's request: a staff reply, sent to the
    client, or the client's follow-up. (The request is the case's description; internal notes are
    CaseNote, never shown to the client.)"""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to the client")
        FOLLOW_UP = "follow_up", _("Client's follow-up")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member of staff who wrote a reply; empty for the client's messages."),
    )
    created_at = models.DateTimeField(pgettext_lazy("message", "written"), default=timezone.now)
    language = models.CharField(_("language"), max_length=2, choices=Case.Language.choices)
    body = models.TextField(_("message"))
    # A follow-up's response target, and when a reply (or a recorded response) answered it.
    due_at = models.DateTimeField(_("reply due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def from_client(self):
        return self.kind == self.Kind.FOLLOW_UP


def attachment_storage():
    from django.core.files.storage import storages

    return storages["attachments"]


def attachment_path(attachment, filename):
    """A random name: nothing the client chose reaches the storage's paths."""
    import uuid

    return f"cases/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file a client sent with the request (no message) or with a follow-up, kept in private storage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(storage=attachment_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size in bytes"))
    # A CSV file with a cell a spreadsheet would run as a formula: staff see it beside the download link.
    formulas = models.BooleanField(_("contains spreadsheet formulas"), default=False)
    uploaded_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name


class OutboundEmail(models.Model):
    """An email to a client, queued with what caused it and sent by the task worker.

    It is written when it is sent, from the case and message, so that it holds no copy of
    personal data; the attempt count and the last error show staff what became of it. Every
    attempt carries the same Message-ID, so that copies of it are known as one email.

    "Sent, unconfirmed": the mail server had the whole email, then timed out or hung up without
    saying whether it took it, and it is not sent again by itself (see cases.outbox).
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGMENT = "acknowledgment", _("acknowledgment")
        REPLY = "reply", _("reply")
        CONVERSATION_LINK = "conversation_link", _("conversation link")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        UNCONFIRMED = "unconfirmed", _("Sent, unconfirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="emails")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    # When the mail server last had the whole email, whether or not it said it took it.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    internet_message_id = models.CharField(_("Message-ID header"), max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case}"


class CannedResponse(models.Model):
    """A prepared answer staff insert in a reply and adapt: for one topic or for all, in both languages.

    Its text may name {reference}, {client_name}, {due} and {topic}, filled in from the case.
    """

    title_en, title_fr = bilingual(models.CharField, _("title"), max_length=200)
    body_en, body_fr = bilingual(models.TextField, _("text"), help_text=_("Markdown."))
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_responses",
        help_text=_("Offered on cases of this topic only; empty: on every case."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    title = Translated()
    body = Translated()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self):
        return self.title


class MailboxCount(models.Model):
    """How many emails of one purpose a mailbox was sent (or had queued) on one day, Eastern time.

    One row per mailbox, purpose and day, locked while it is read and raised, so that a daily cap
    holds when many requests for one address arrive at once (see cases.mailboxes). The mailbox is
    kept as a keyed digest, never as an address, and rows of past days are deleted.
    """

    class Purpose(models.TextChoices):
        ACKNOWLEDGMENT = "acknowledgment", _("acknowledgment")
        CONVERSATION_LINK = "conversation_link", _("conversation link")

    mailbox_digest = models.CharField(max_length=64)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mailbox_digest", "purpose", "day"], name="mailbox_count_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.purpose} {self.day:%Y-%m-%d}: {self.count}"
