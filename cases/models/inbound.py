"""Emails received at the helpdesk's inbound address (cases.inbound), each kept once by its Message-ID.

A client's reply to one of our emails is matched to its case and posted as their follow-up; what cannot
be posted is kept for staff: a message from another address than the case's (held until staff accept
it), a message matching no case (unmatched, for staff to attach to a case). Automatic replies are
recorded, so that they are recognised again, and nothing more; so is a message too large to take in,
of which only the headers were read. A bounce (cases.inbound.bounces) is recorded on the case of the
email it reports as refused. The raw message is kept privately, as
attachments are, until its case's personal data is removed.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case
from .conversation import Message, attachment_storage


def inbound_path(inbound, filename):
    """Where a raw message is stored: a random name, in a folder of its month."""
    return f"inbound/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundEmail(models.Model):
    """One email received, what it was taken for, and what became of it."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted on the case as the client's follow-up")
        HELD = "held", _("Held: from another address than the case's")
        FLOODED = "flooded", _("Held: too many emails in an hour from this address")
        ACCEPTED = "accepted", _("Posted on the case once staff accepted it")
        UNMATCHED = "unmatched", _("Unmatched: no case found")
        FILED = "filed", _("Filed as a new case by staff")
        AUTOMATIC = "automatic", _("Ignored: an automatic reply")
        TOO_LARGE = "too_large", _("Refused: larger than the limit")
        BOUNCE = "bounce", _("Bounce: the client's address refused our email")

    class Match(models.TextChoices):
        TAG = "tag", _("the case's reply address")
        THREAD = "thread", _("a reply to one of our emails")
        SUBJECT = "subject", _("the reference in the subject, from the case's address")
        STAFF = "staff", _("attached by staff")
        REPORT = "report", _("a mail server's report naming one of our emails")

    internet_message_id = models.CharField(_("Message-ID header"), max_length=255, unique=True, editable=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now, editable=False)
    sender = models.CharField(_("from"), max_length=254, blank=True, editable=False)
    subject = models.CharField(_("subject"), max_length=300, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, null=True, blank=True, related_name="inbound_emails"
    )
    matched_by = models.CharField(_("matched by"), max_length=10, choices=Match.choices, blank=True, editable=False)
    # The follow-up it was posted as (none when it filed a new case, or is not posted).
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="inbound_emails"
    )
    raw = models.FileField(storage=attachment_storage, upload_to=inbound_path, max_length=200, blank=True)
    # The files of the message that were refused, with why: [{"name", "reason"}].
    refused_files = models.JSONField(_("files refused"), default=list, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received email")
        verbose_name_plural = _("received emails")
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self):
        return f"{self.get_status_display()} {self.received_at:%Y-%m-%d %H:%M}"
