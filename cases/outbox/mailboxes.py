"""Daily caps on the emails one mailbox can be made to receive through the public forms.

A cap counts mailboxes, not spellings: `Ann+1@Example.org`, `"ann"@example.org` and
`ann@example.org` are one mailbox, and so are an internationalised domain and its `xn--` form.
Each count is one row per mailbox, purpose and day (Eastern time), locked while it is read and
raised in the caller's transaction, so that it holds when many requests arrive at once. Rows
keep a keyed digest of the mailbox, not the address, and only for today and yesterday.
"""

import contextlib
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from helpdesk.calendar import eastern_date

from ..models import MailboxCount

Purpose = MailboxCount.Purpose


def mailbox(address: str) -> str:
    """The mailbox an address reaches: the local part unquoted, lower-cased and without its +tag,
    at the domain's IDNA (ASCII) form, lower-cased."""
    local, _at, domain = (address or "").strip().rpartition("@")
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        local = local[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    local = local.partition("+")[0].lower()
    domain = domain.strip().rstrip(".").lower()
    with contextlib.suppress(UnicodeError):  # a name IDNA cannot write is compared as typed
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def mailbox_digest(address: str) -> str:
    return salted_hmac("cases.mailboxes", mailbox(address), algorithm="sha256").hexdigest()


def take(address: str, purpose: str, cap: int, now=None) -> bool:
    """Count one more email of `purpose` to the address's mailbox today, if fewer than `cap` were;
    False, and nothing counted, once the cap is reached. Runs in the caller's transaction, which
    keeps the row locked until it ends."""
    day = eastern_date(now or timezone.now())
    with transaction.atomic():
        MailboxCount.objects.filter(day__lt=day - timedelta(days=1)).delete()
        row, _created = MailboxCount.objects.select_for_update().get_or_create(
            mailbox_digest=mailbox_digest(address), purpose=purpose, day=day
        )
        if row.count >= cap:
            return False
        MailboxCount.objects.filter(pk=row.pk).update(count=row.count + 1)
    return True
