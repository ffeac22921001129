"""The emails sent to clients (and staff's warnings about them), and how many each mailbox was sent today."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case
from .conversation import Message


class OutboundEmail(models.Model):
    """An email to a client, queued with what caused it and sent by the task worker.

    It is written when it is sent, from the case and message, so that it holds no copy of
    personal data; the attempt count and the last error show staff what became of it. Every
    attempt carries the same Message-ID, so that copies of it are known as one email.

    "Sent, unconfirmed": the mail server had the whole email, then timed out or hung up without
    saying whether it took it, and it is not sent again by itself (see cases.outbox.queue).

    "Bounced": sent, then a mail server reported that the client's address refused it for good
    (cases.inbound.bounces); `last_error` says why.
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGMENT = "acknowledgment", _("acknowledgment")
        REPLY = "reply", _("reply")
        CONVERSATION_LINK = "conversation_link", _("conversation link")
        MERGED = "merged", _("notice of a merged case")
        RESOLUTION = "resolution", _("resolution")
        DUE_SOON_WARNING = "due_soon_warning", _("warning to staff: reply due soon")
        TARGET_MISSED = "target_missed", _("warning to staff: reply target missed")
        NEW_CASE_NOTICE = "new_case_notice", _("notice to staff: new case in the team's queue")
        ASSIGNED_NOTICE = "assigned_notice", _("notice to staff: case assigned")
        FOLLOW_UP_NOTICE = "follow_up_notice", _("notice to staff: client's follow-up")
        NOT_RESOLVED_NOTICE = "not_resolved_notice", _("notice to staff: request not resolved, the client says")
        STAFF_DIGEST = "staff_digest", _("daily digest to staff")
        UNMATCHED_ANSWER = "unmatched_answer", _("automatic answer: email matching no request")
        FILES_REFUSED_ANSWER = "files_refused_answer", _("automatic answer: files refused")
        TOO_LARGE_ANSWER = "too_large_answer", _("automatic answer: email too large")
        BOUNCED_NOTICE = "bounced_notice", _("notice to staff: the client's address refused our email")

        @classmethod
        def to_staff(cls):
            """The kinds sent to a member of staff (the email's recipient), not to the case's client."""
            return [
                cls.DUE_SOON_WARNING,
                cls.TARGET_MISSED,
                cls.NEW_CASE_NOTICE,
                cls.ASSIGNED_NOTICE,
                cls.FOLLOW_UP_NOTICE,
                cls.NOT_RESOLVED_NOTICE,
                cls.BOUNCED_NOTICE,
                cls.STAFF_DIGEST,
            ]

        @classmethod
        def automatic_answers(cls):
            """The kinds that answer an email received (InboundEmail), sent to its sender's `address`."""
            return [cls.UNMATCHED_ANSWER, cls.FILES_REFUSED_ANSWER, cls.TOO_LARGE_ANSWER]

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        UNCONFIRMED = "unconfirmed", _("Sent, unconfirmed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        BOUNCED = "bounced", _("Bounced")

    # Empty for a digest to staff, which is about several cases (its notifications say which).
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Set for the emails to staff (Kind.to_staff): the email goes to this member of staff, not the client.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Set for the automatic answers (Kind.automatic_answers): the address of the email they answer,
    # which may be no case's.
    address = models.CharField(_("address"), max_length=254, blank=True, editable=False)
    inbound = models.ForeignKey(
        "InboundEmail", on_delete=models.CASCADE, null=True, blank=True, editable=False, related_name="answers"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    # When the mail server last had the whole email, whether or not it said it took it.
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    internet_message_id = models.CharField(_("Message-ID header"), max_length=255, blank=True, editable=False)
    # Who claimed its latest attempt, "<host>:<pid>:<token>" (cases.outbox.senders), and when, in that attempt,
    # the message's content began to go to the mail server (empty: the server surely has not got it).
    sender = models.CharField(_("sent by"), max_length=100, blank=True, editable=False)
    handed_over_at = models.DateTimeField(_("handed over to the mail server"), null=True, blank=True, editable=False)
    # The email that resolves the case (its reply, or a resolution email) asks "Did we resolve your request?".
    asks_if_resolved = models.BooleanField(_("asks if the request was resolved"), default=False, editable=False)
    # The id of the request that queued the email (its X-Request-ID), carried by the log lines of its sending.
    request_id = models.CharField(_("request id"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case}"


class MailboxCount(models.Model):
    """How many emails of one purpose a mailbox was sent (or had queued) on one day, Eastern time.

    One row per mailbox, purpose and day, locked while it is read and raised, so that a daily cap
    holds when many requests for one address arrive at once (see cases.outbox.mailboxes). The mailbox is
    kept as a keyed digest, never as an address, and rows of past days are deleted.
    """

    class Purpose(models.TextChoices):
        ACKNOWLEDGMENT = "acknowledgment", _("acknowledgment")
        CONVERSATION_LINK = "conversation_link", _("conversation link")
        UNMATCHED_ANSWER = "unmatched_answer", _("automatic answer to an email matching no request")
        AUTOMATIC_ANSWER = "automatic_answer", _("automatic answer to a client's email")

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
