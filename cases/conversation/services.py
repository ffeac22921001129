"""Writes of a case's conversation: staff replies, client follow-ups, responses given another way.

Each client message waiting for an answer has its own target (the request's is the case's
`due_at`; a follow-up's is on the message), counted from when it arrived by the case's class.
The case is due at the earliest one still unanswered (`reply_due_at`), and at none while
nothing waits, so no clock runs while the case waits on the client.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import ResponseClass, response_target

from ..attachments.files import store_attachments
from ..intake.help_paths import PathTaken
from ..intake.submission import case_submit
from ..models import Case, CaseEvent, Message, OutboundEmail, StaffNotification
from ..notifications.services import notify_from_client
from ..outbox import mailboxes
from ..outbox.queue import queue_email
from ..services import CaseRuleError, case_change, check_transition

# The statuses staff may leave a case in when they send a reply.
REPLY_STATUSES = [Case.Status.WAITING_ON_CLIENT, Case.Status.RESOLVED, Case.Status.IN_PROGRESS]


def new_conversation_key() -> str:
    return secrets.token_hex(16)


def target_for(case: Case, received_at):
    """The response target of a client message received at `received_at`, by the case's class."""
    return response_target(received_at, ResponseClass(case.response_class).business_days)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _locked_continuing(case: Case) -> Case:
    """The case locked, or, once merged into another, the case that continues it (cases.merging)."""
    case = _locked(case)
    return case if case.merged_into_id is None else Case.objects.select_for_update().get(pk=case.merged_into_id)


def _answer_pending(case: Case, *, actor, at, channel) -> None:
    """Mark every client message waiting for an answer as answered at `at`; record the first response."""
    case.messages.filter(kind=Message.Kind.FOLLOW_UP, answered_at__isnull=True).update(answered_at=at)
    case.reply_due_at = None
    fields = ["reply_due_at"]
    if case.first_response_at is None:
        case.first_response_at, case.first_response_by, case.first_response_channel = at, actor, channel
        fields += ["first_response_at", "first_response_by", "first_response_channel"]
        CaseEvent.objects.create(
            case=case,
            actor=actor,
            at=at,
            code=CaseEvent.Code.FIRST_RESPONSE,
            params={"met": case.met_standard, "channel": channel},
        )
    case.save(update_fields=fields)


def _already_written(token) -> Message | None:
    """The message the form with this token already wrote (cases.tokens), if any: on this case, or,
    from a page left open in the browser, on another."""
    return Message.objects.filter(submission_token=token).first() if token else None


def case_reply(case: Case, *, author, body: str, status: str, token=None) -> Message:
    """Send a staff reply: saved on the case, emailed to the client, answering what was waiting.

    The case goes to `status` (waiting on the client, resolved or still in progress); the
    email is queued in the same transaction, so it leaves only if the reply is saved. A reply that
    resolves the case is the email that says so: it asks "Did we resolve your request?", and no
    resolution email goes besides. A reply form sent again with the same `token` returns the reply
    it already wrote.
    """
    if status not in REPLY_STATUSES:
        raise CaseRuleError(_("Choose the status of the case after this reply."))
    if not body.strip():
        raise CaseRuleError(_("Write the reply."))
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if written := _already_written(token):
            return written
        if case.anonymised_at is not None or case.status == Case.Status.CLOSED:
            raise CaseRuleError(_("This case is closed: no reply can be sent from it."))
        check_transition(case.status, status)
        resolves = status == Case.Status.RESOLVED and case.status != status
        message = Message.objects.create(
            case=case,
            kind=Message.Kind.REPLY,
            author=author,
            created_at=now,
            language=case.preferred_language,
            body=body,
            submission_token=token,
        )
        CaseEvent.objects.create(case=case, actor=author, at=now, code=CaseEvent.Code.REPLY_SENT)
        _answer_pending(case, actor=author, at=now, channel=Case.Channel.REPLY)
        case_change(case, actor=author, status=status, tell_client=False)
        queue_email(case, OutboundEmail.Kind.REPLY, message=message, asks_if_resolved=resolves)
    return message


def case_record_response(case: Case, *, actor, channel: str, at=None) -> bool:
    """Record a response given outside the case (by telephone, or an email sent elsewhere).

    It answers what was waiting; False if nothing was waiting and the first response was recorded.
    """
    if channel not in Case.Channel.values or channel == Case.Channel.REPLY:
        raise CaseRuleError(_("Say how the response was given."))
    with transaction.atomic():
        case = _locked(case)
        if case.reply_due_at is None and case.first_response_at is not None:
            return False
        _answer_pending(case, actor=actor, at=at or timezone.now(), channel=channel)
    return True


@dataclass(frozen=True)
class FollowUpResult:
    """Where a client's follow-up went: its message, on the case or on a new one."""

    case: Case
    message: Message | None
    reopened: bool = False
    new_case: bool = False


def case_follow_up(case: Case, *, body: str, language: str, files=(), at=None, token=None) -> FollowUpResult:
    """Add a client's follow-up to the conversation, with its attachments (checked files).

    The assignee, or the team when nobody is assigned, is told (cases.notifications).
    On an open case it waits for an answer with its own target; a case waiting on the
    client goes back in progress. A resolved case is reopened within REOPEN_BUSINESS_DAYS
    business days of its resolution; after that, or once closed, the follow-up files a new
    case that names the old one. To a merged case, it goes to the case that continues it.
    A follow-up sent again with the same `token` returns what it already wrote: its message,
    or the new case it filed.
    """
    now = at or timezone.now()
    with transaction.atomic():
        case = _locked_continuing(case)
        if written := _already_written(token):
            return FollowUpResult(case=case, message=written)
        if case.anonymised_at is not None:
            raise CaseRuleError(_("This request can no longer be answered."))
        if not case.is_open and not _may_reopen(case, now):
            return _file_follow_on(case, body=body, language=language, files=files, at=now, token=token)
        reopened = case.status == Case.Status.RESOLVED
        message = Message.objects.create(
            case=case,
            kind=Message.Kind.FOLLOW_UP,
            created_at=now,
            language=language,
            body=body,
            due_at=target_for(case, now),
            submission_token=token,
        )
        store_attachments(case, files, message=message)
        received = CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.FOLLOW_UP_RECEIVED)
        notify_from_client(case, received, StaffNotification.Kind.FOLLOW_UP, target=message.due_at)
        if reopened:
            CaseEvent.objects.create(case=case, at=now, code=CaseEvent.Code.REOPENED)
        if case.status in (Case.Status.RESOLVED, Case.Status.WAITING_ON_CLIENT):
            case_change(case, actor=None, status=Case.Status.IN_PROGRESS)
        if case.reply_due_at is None or message.due_at < case.reply_due_at:
            case.reply_due_at = message.due_at
            case.save(update_fields=["reply_due_at"])
    return FollowUpResult(case=case, message=message, reopened=reopened)


def _may_reopen(case: Case, now) -> bool:
    if case.status != Case.Status.RESOLVED or case.resolved_at is None:
        return False
    return now <= response_target(case.resolved_at, settings.REOPEN_BUSINESS_DAYS)


def _file_follow_on(old: Case, *, body, language, files, at, token) -> FollowUpResult:
    """File the follow-up to a case past reopening as a new case, with the old one's details; sent again
    with the same token, it finds the case it filed."""
    contact = {name: getattr(old, name) for name in [*Case.PERSONAL_DETAILS, "preferred_language"]}
    new, created = case_submit(
        contact={**contact, "description": body},
        path_taken=PathTaken.of_case(old),
        submission_token=token,
        received_at=at,
        language=language,
        follows=old,
        attachments=files,
    )
    if created:
        CaseEvent.objects.create(
            case=old, at=at, code=CaseEvent.Code.FOLLOWED_BY, params={"reference": new.display_reference}
        )
    return FollowUpResult(case=new, message=None, new_case=True)


def case_revoke_links(case: Case, *, actor) -> None:
    """Void every conversation link sent so far; the next email carries a new one."""
    with transaction.atomic():
        case = _locked(case)
        case.conversation_key = new_conversation_key()
        case.save(update_fields=["conversation_key"])
        CaseEvent.objects.create(case=case, actor=actor, code=CaseEvent.Code.LINK_REVOKED)


def case_email_link(case: Case, now=None) -> bool:
    """Email the client a fresh link to the case's conversation, at their request; True when queued.

    Never for an anonymised case, nor past CONVERSATION_LINKS_PER_ADDRESS_PER_DAY to one mailbox
    (each withheld link is recorded on the case). The link is written when the email is sent,
    with the case's conversation key then. For a merged case, it is the link of the case that
    continues it.
    """
    with transaction.atomic():
        case = _locked_continuing(case)
        if case.anonymised_at is not None or not case.email or not case.conversation_key:
            return False
        cap = settings.CONVERSATION_LINKS_PER_ADDRESS_PER_DAY
        if not mailboxes.take(case.email, mailboxes.Purpose.CONVERSATION_LINK, cap, now=now):
            CaseEvent.objects.create(case=case, code=CaseEvent.Code.LINK_WITHHELD)
            return False
        CaseEvent.objects.create(case=case, code=CaseEvent.Code.LINK_REQUESTED)
        queue_email(case, OutboundEmail.Kind.CONVERSATION_LINK)
    return True
