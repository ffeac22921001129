"""Daily caps on the emails one mailbox can be made to receive through the public forms.

A cap counts mailboxes, not spellings: `Ann+1@Example.org`, `"ann"@example.org` and
`ann@example.org` are one mailbox, and so are an internationalised domain and its `xn--` form.
Each count is one row per mailbox, purpose and day (Eastern time), read and raised in one
statement in the caller's transaction, so that it holds when many requests arrive at once. Rows
keep a keyed digest of the mailbox, not the address, and only for today and yesterday.
"""

import contextlib
from datetime import timedelta

from django.db import connections, router
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
    MailboxCount.objects.filter(day__lt=day - timedelta(days=1)).delete()
    if cap <= 0:
        return False
    # One statement reads and raises the count, so that two requests at once never both take the last.
    table = MailboxCount._meta.db_table
    connection = connections[router.db_for_write(MailboxCount)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (mailbox_digest, purpose, day, count) VALUES (%s, %s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (mailbox_digest, purpose, day) DO UPDATE SET count = {table}.count + 1 "
            f"WHERE {table}.count < %s RETURNING count",
            [mailbox_digest(address), purpose, connection.ops.adapt_datefield_value(day), cap],
        )
        return cursor.fetchone() is not None
