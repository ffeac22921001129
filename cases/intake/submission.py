"""Filing a case from the contact form (or from a client's late follow-up) and acknowledging it."""

import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from carmsupport.bilingual import current_language
from helpdesk.models import ResponseClass, response_target

from ..attachments.files import store_attachments
from ..metrics import count_filed
from ..models import Case, CaseEvent, OutboundEmail
from ..notifications.services import notify_new_case
from ..outbox import mailboxes
from ..outbox.queue import queue_email
from ..teams import case_assign_in_turn, team_for
from .help_paths import PathTaken
from .references import new_reference

logger = logging.getLogger(__name__)

REFERENCE_ATTEMPTS = 8


def case_submit(
    *,
    contact: dict,
    path_taken: PathTaken,
    submission_token=None,
    received_at=None,
    language=None,
    follows=None,
    attachments=(),
) -> tuple[Case, bool]:
    """File a case and acknowledge it by email; return it and whether it is new.

        `path_taken` is the way the client came: topic, response class, and the help tool's answers,
        outcome and release when there were any. A form sent again with the same token returns the case
        it already filed. The acknowledgment is queued in the outbox (or withheld) in the case's own
        transaction, and sent by the task worker (cases.outbox.queue), so a slow or failing mail server never
        holds the client up. `language` is that of the page it was filed from, the active language unless
        given. `follows` is the earlier case a client's follow-up came to after it was resolved;
        `attachments` are the request's checked files, saved with the case. The case goes to the team of
        its topic, else the default team; a team that assigns in turn assigns it at once (cases.teams). The
    team's members are told of it, and its assignee that it is theirs (cases.notifications).
    """
    received_at = received_at or timezone.now()
    if submission_token and (existing := Case.objects.filter(submission_token=submission_token).first()):
        # A case filed before its acknowledgment was decided in the same transaction gets it now.
        case_acknowledge(existing)
        return existing, False
    due_at = response_target(received_at, ResponseClass(path_taken.response_class).business_days)
    team = team_for(path_taken.topic)
    for _attempt in range(REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=new_reference(),
                    submission_token=submission_token or None,
                    received_at=received_at,
                    due_at=due_at,
                    reply_due_at=due_at,
                    conversation_key=secrets.token_hex(16),
                    follows=follows,
                    team=team,
                    language=language or current_language(),
                    **path_taken.case_fields(),
                    **contact,
                )
                received = CaseEvent.objects.create(case=case, at=received_at, code=CaseEvent.Code.RECEIVED)
                case_assign_in_turn(case)
                notify_new_case(case, received)
                store_attachments(case, attachments)
                # In the case's own transaction: a case is never saved without its acknowledgment
                # queued or withheld, nor an acknowledgment queued without its case.
                _acknowledge_new(case)
            break
        except IntegrityError:
            # Either the same form arrived twice at once, or the reference was taken: retry.
            if submission_token and (existing := Case.objects.filter(submission_token=submission_token).first()):
                return existing, False
    else:
        raise IntegrityError("no free reference number found")
    transaction.on_commit(lambda: count_filed(case))
    return case, True


def case_acknowledge(case: Case) -> bool:
    """Queue the acknowledgment email, sent by the task worker once this commits; True when queued.

    No mailbox gets more than ACKNOWLEDGMENTS_PER_ADDRESS_PER_DAY a day, however its address is
    spelt (cases.outbox.mailboxes), so that the form cannot be used to flood a stranger's mailbox: past
    that, the case is filed and its acknowledgment withheld for good. A case gets one
    acknowledgment: a failed one is sent again by staff (`outbox.retry`), not from here.
    """
    acknowledgments = OutboundEmail.objects.filter(case=case, kind=OutboundEmail.Kind.ACKNOWLEDGMENT)
    with transaction.atomic():
        decided = case.acknowledged_at is not None or case.acknowledgment_withheld or case.anonymised_at is not None
        if decided or acknowledgments.exclude(status=OutboundEmail.Status.CANCELLED).exists():
            return False
        return _acknowledge_new(case)


def _acknowledge_new(case: Case) -> bool:
    """Queue the acknowledgment of a case that has none, in the caller's transaction, or withhold it
    past the mailbox's cap; True when queued."""
    cap = settings.ACKNOWLEDGMENTS_PER_ADDRESS_PER_DAY
    if not mailboxes.take(case.email, mailboxes.Purpose.ACKNOWLEDGMENT, cap):
        case.acknowledgment_withheld = True
        case.save(update_fields=["acknowledgment_withheld"])
        CaseEvent.objects.create(case=case, code=CaseEvent.Code.ACKNOWLEDGMENT_WITHHELD)
        return False
    queue_email(case, OutboundEmail.Kind.ACKNOWLEDGMENT)
    return True
