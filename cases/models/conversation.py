"""The conversation after the request: messages, the files clients send, and staff's canned responses."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from carmsupport.bilingual import Translated, bilingual
from helpdesk.models import Topic

from .case import Case


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
    # The random part of the one-time token of the form that wrote it (cases.tokens): the same form
    # sent twice writes one message.
    submission_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
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
