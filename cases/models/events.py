"""A case's audit trail."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .case import Case
from .outbox import OutboundEmail


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
        REASSIGNED = "reassigned", _("Reassigned")
        ASSIGNED_IN_TURN = "assigned_in_turn", _("Assigned automatically, in turn among the team")
        FIRST_RESPONSE = "first_response", _("First response recorded")
        NOTE_ADDED = "note_added", _("Internal note added")
        REPLY_SENT = "reply_sent", _("Reply sent to the client")
        FOLLOW_UP_RECEIVED = "follow_up_received", _("Follow-up received from the client")
        REOPENED = "reopened", _("Reopened by the client's follow-up")
        FOLLOWED_BY = "followed_by", _("The client's follow-up filed a new case")
        EMAIL_SENT = "email_sent", _("Email sent")
        EMAIL_FAILED = "email_failed", _("Email not sent")
        EMAIL_UNCONFIRMED = "email_unconfirmed", _("Email sent, unconfirmed")
        EMAIL_BOUNCED = "email_bounced", _("The client's address refused our email")
        ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("Attachment downloaded")
        LINK_REVOKED = "link_revoked", _("Conversation links revoked")
        LINK_REQUESTED = "link_requested", _("Conversation link emailed at the client's request")
        LINK_WITHHELD = (
            "link_withheld",
            _("Conversation link not emailed: the address had its daily number already"),
        )
        ANONYMISED = "anonymised", _("Personal data removed after the retention period")
        MERGED_INTO = "merged_into", _("Merged into another case")
        MERGED_FROM = "merged_from", _("Another case merged into this one")
        ANSWERED_RESOLVED = "answered_resolved", _("The client answered Yes: the request was resolved")
        ANSWERED_NOT_RESOLVED = "answered_not_resolved", _("The client answered No: the request was not resolved")
        ESCALATED = "escalated", _("Reply target missed: told the team's leads")
        MOVED = "moved", _("Moved to another team")
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
        """The event as a sentence in the active language; an event moved here from a merged case
        (cases.merging) names that case."""
        sentence = str(self._sentence())
        if (self.params or {}).get("merged_from"):
            return _("%(event)s (moved from %(reference)s)") % {
                "event": sentence,
                "reference": self.params["merged_from"],
            }
        return sentence

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
                return _with_reason(_("Assigned to %(user)s") % {"user": params.get("user", "?")}, params)
            case self.Code.REASSIGNED:
                return _with_reason(
                    _("Reassigned from %(old)s to %(new)s")
                    % {"old": params.get("old", "?"), "new": params.get("new", "?")},
                    params,
                )
            case self.Code.UNASSIGNED if params.get("old"):
                return _with_reason(_("Unassigned from %(old)s") % {"old": params["old"]}, params)
            case self.Code.ASSIGNED_IN_TURN:
                return _("Assigned automatically to %(user)s, in turn among the team") % {
                    "user": params.get("user", "?")
                }
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
            case self.Code.EMAIL_UNCONFIRMED if params.get("error") == "SenderGone":
                return _(
                    "Email sent, unconfirmed: %(kind)s, attempt %(attempt)s (the worker sending it stopped while "
                    "it gave the email to the mail server)"
                ) % {"kind": _email_kind_label(params.get("kind")), "attempt": params.get("attempt", "?")}
            case self.Code.EMAIL_UNCONFIRMED:
                return _(
                    "Email sent, unconfirmed: %(kind)s, attempt %(attempt)s (%(error)s after the mail server "
                    "had the whole email)"
                ) % {
                    "kind": _email_kind_label(params.get("kind")),
                    "attempt": params.get("attempt", "?"),
                    "error": params.get("error", "?"),
                }
            case self.Code.EMAIL_BOUNCED if params.get("kind"):
                return _("The client's address refused our email: %(kind)s (%(status)s)") % {
                    "kind": _email_kind_label(params["kind"]),
                    "status": params.get("status", "?"),
                }
            case self.Code.ATTACHMENT_DOWNLOADED:
                return _("Attachment downloaded: %(name)s") % {"name": params.get("name", "?")}
            case self.Code.MERGED_INTO:
                return _("Merged into %(reference)s") % {"reference": params.get("reference", "?")}
            case self.Code.MERGED_FROM:
                return _("%(reference)s merged into this case") % {"reference": params.get("reference", "?")}
            case self.Code.ANSWERED_NOT_RESOLVED if params.get("assignee"):
                return _("The client answered No: the request was not resolved (for %(user)s)") % {
                    "user": params["assignee"]
                }
            case self.Code.TEXT:
                return params.get("text", "")
        return str(self.Code(self.code).label)


def _with_reason(sentence, params):
    """The sentence, then the reason staff gave for it, if any."""
    if not params.get("reason"):
        return sentence
    return _("%(event)s. Reason: %(reason)s") % {"event": sentence, "reason": params["reason"]}


def _status_label(code):
    return Case.Status(code).label if code in Case.Status.values else code


def _channel_label(code):
    return Case.Channel(code).label if code in Case.Channel.values else code


def _email_kind_label(code):
    return OutboundEmail.Kind(code).label if code in OutboundEmail.Kind.values else code
