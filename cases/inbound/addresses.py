"""The address a client's reply comes back to: the helpdesk's inbound address (INBOUND_EMAIL_ADDRESS)
with a tag naming the case, e.g. support+1d65f4ng8-3f9c0e1a7b2d4c58@support.example.ca.

The tag is the case's reference and a signature of it with the case's conversation key, so that no one
can make the tag of another case; a new key (staff revoke the links) or none (the case is anonymised)
voids every tag sent, as it voids the links. Mail servers may change the case of an address: the tag
is read in any case.
"""

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

from ..models import Case

SALT = "cases.inbound.reply-address"
SIGNATURE_LENGTH = 16


def _signature(case: Case) -> str:
    return salted_hmac(SALT, f"{case.reference}.{case.conversation_key}", algorithm="sha256").hexdigest()[
        :SIGNATURE_LENGTH
    ]


def _inbound() -> tuple[str, str] | None:
    """The inbound address's local part and domain, or None when the site takes no email."""
    address = settings.INBOUND_EMAIL_ADDRESS
    if not address or "@" not in address:
        return None
    local, _at, domain = address.rpartition("@")
    return local, domain.lower()


def reply_address(case: Case) -> str | None:
    """The address the client's reply to an email about `case` goes to; None when the site takes no
    email, or the case has no conversation key (anonymised)."""
    inbound = _inbound()
    if inbound is None or not case.conversation_key:
        return None
    local, domain = inbound
    return f"{local}+{case.reference.lower()}-{_signature(case)}@{domain}"


def tagged_case(addresses) -> Case | None:
    """The case whose valid tag one of `addresses` (bare addresses, as the message's recipients) holds."""
    inbound = _inbound()
    if inbound is None:
        return None
    local, domain = inbound
    for address in addresses:
        name, _at, at_domain = address.strip().rpartition("@")
        base, plus, tag = name.partition("+")
        if not plus or at_domain.lower() != domain or base.lower() != local.lower():
            continue
        reference, _dash, signature = tag.upper().partition("-")
        case = Case.objects.filter(reference=reference).exclude(conversation_key="").first()
        if case is not None and constant_time_compare(signature.lower(), _signature(case)):
            return case
    return None
