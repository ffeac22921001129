"""Which case an email received is about, in this order:

1. the signed tag of the address it was sent to (cases.inbound.addresses);
2. In-Reply-To or References naming the Message-ID of one of our emails to a client;
3. a reference in the subject (CS-XXX-XXX-XXX), only when the sender is the case's address.

Automatic messages (out-of-office replies, lists, bulk mail) are told apart by their headers, so
that none becomes a follow-up and none is answered.
"""

import re
from email.utils import getaddresses

from ..intake.references import InvalidReference, normalise
from ..models import Case, InboundEmail, OutboundEmail
from .addresses import tagged_case

Match = InboundEmail.Match

RECIPIENT_HEADERS = ["To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"]
MESSAGE_IDS = re.compile(r"<[^<>\s]+>")
# A reference as a client may write it: CS-1D6-5F4-NG8, with or without the dashes.
SUBJECT_REFERENCE = re.compile(r"\bCS-?[0-9A-Z]{3}-?[0-9A-Z]{3}-?[0-9A-Z]{3}\b", re.IGNORECASE)


def addresses(message, headers) -> list[str]:
    """The bare addresses of these headers of `message`, in lower case."""
    values = [str(value) for header in headers for value in message.get_all(header, [])]
    return [address.lower() for _name, address in getaddresses(values) if "@" in address]


def sender(message) -> str:
    """The address the message is from (Reply-To is not believed: the case's address must have sent it)."""
    found = addresses(message, ["From"])
    return found[0] if found else ""


def sender_name(message) -> str:
    """The sender's name as their email gives it ("Ann Smith <ann@…>"), or ""."""
    values = [str(value) for value in message.get_all("From", [])]
    found = [name.strip() for name, _address in getaddresses(values) if name.strip()]
    return found[0][:100] if found else ""


def automatic(message) -> bool:
    """Whether the message was sent by a program, not a person (RFC 3834 and the common headers)."""
    auto_submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto_submitted != "no"
        or precedence in ("bulk", "junk", "list")
        or "X-Autoreply" in message
        or "X-Autorespond" in message
        or "List-Id" in message
    )


def matched_case(message, from_address: str) -> tuple[Case | None, str]:
    """The case `message` is about, and how it was found (InboundEmail.Match); (None, "") for none."""
    case = tagged_case(addresses(message, RECIPIENT_HEADERS))
    if case is not None:
        return case, Match.TAG
    ids = MESSAGE_IDS.findall(" ".join(str(message.get(header, "")) for header in ("In-Reply-To", "References")))
    if ids:
        replied = (
            OutboundEmail.objects.filter(internet_message_id__in=ids, case__isnull=False, recipient__isnull=True)
            .select_related("case")
            .order_by("-created_at")
            .first()
        )
        if replied is not None:
            return replied.case, Match.THREAD
    for written in SUBJECT_REFERENCE.findall(str(message.get("Subject", ""))):
        try:
            reference = normalise(written)
        except InvalidReference:
            continue
        case = Case.objects.filter(reference=reference, email__iexact=from_address).first()
        if case is not None and from_address:
            return case, Match.SUBJECT
    return None, ""
