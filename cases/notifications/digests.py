"""The daily digest: one email a member of staff, at 7 am Eastern on business days, of the
notifications they chose to have that way (StaffProfile.notify) written before it.

`send_digests` is run by `check_due_cases` every few minutes; on a business day (weekends, the
designated holidays and closure days are not), from DIGEST_AT on, it gathers each recipient's
waiting notifications written before DIGEST_AT into one email. Those written later wait for the
next business day's. A digest is claimed with its notifications by one conditional UPDATE in its
own transaction: of two runs at once, the second finds nothing left and writes nothing, so no
notification is in two digests; a run after a downtime sends the digests it missed, once.
"""

import logging
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from helpdesk.calendar import HELPDESK_TZ, eastern_date, is_business_day
from helpdesk.models import ClosureDay

from ..models import OutboundEmail, StaffNotification
from ..outbox.queue import queue_staff_email

logger = logging.getLogger(__name__)

DIGEST_AT = time(7, 0)


def digest_time(now=None):
    """When today's digest goes, Eastern time; None on a day that is not a business day."""
    day = eastern_date(now or timezone.now())
    if not is_business_day(day, ClosureDay.dates_from(day)):
        return None
    return datetime.combine(day, DIGEST_AT, tzinfo=HELPDESK_TZ)


def waiting(before):
    """The notifications waiting for a digest, written before `before`."""
    return StaffNotification.objects.filter(
        delivery=StaffNotification.Delivery.DIGEST, email__isnull=True, created_at__lt=before
    )


def send_digests(now=None) -> int:
    """Queue today's digests not sent yet, once today's DIGEST_AT has come; how many were queued."""
    now = now or timezone.now()
    at = digest_time(now)
    if at is None or now < at:
        return 0
    queued = 0
    for recipient in get_user_model().objects.filter(pk__in=waiting(at).values("recipient")).order_by("pk"):
        with transaction.atomic():
            digest = queue_staff_email(None, OutboundEmail.Kind.STAFF_DIGEST, recipient)
            if waiting(at).filter(recipient=recipient).update(email=digest):
                queued += 1
            else:  # another run took them: this digest, and its task, are undone
                transaction.set_rollback(True)
    if queued:
        logger.info("%s staff digest(s) queued", queued)
    return queued
