"""Who an outbox email goes to, and the email itself, written for its kind when it is sent.

An email goes to its case's client; a notice to staff, to its member of staff (`recipient`); an
automatic answer to an email received, to the address that email came from (`address`). When that
address is gone (the case's personal data removed, the staff account closed), the email is not sent.
"""

from ..models import OutboundEmail

Kind = OutboundEmail.Kind


def address_of(email: OutboundEmail) -> str:
    """The address `email` goes to; "" when it has none any more."""
    if email.kind in Kind.to_staff():
        recipient = email.recipient
        return recipient.email if recipient is not None and recipient.is_active else ""
    if email.kind in Kind.automatic_answers():
        return email.address
    case = email.case
    return case.email if case is not None and case.anonymised_at is None else ""


def message_of(email: OutboundEmail):
    """The email to send for this outbox row, with its Message-ID; ValueError for one that cannot be written."""
    from .answers import answer_message
    from .emails import acknowledgment_message, link_message, merged_message, reply_message, resolution_message
    from .staff_emails import staff_message

    if email.kind == Kind.ACKNOWLEDGMENT:
        message = acknowledgment_message(email.case)
    elif email.kind == Kind.CONVERSATION_LINK:
        message = link_message(email.case)
    elif email.kind == Kind.REPLY and email.message is not None:
        message = reply_message(email.case, email.message, asks_if_resolved=email.asks_if_resolved)
    elif email.kind == Kind.MERGED and email.case.merged_into_id is not None:
        message = merged_message(email.case)
    elif email.kind == Kind.RESOLUTION:
        message = resolution_message(email.case)
    elif email.kind in Kind.to_staff() and email.recipient is not None:
        message = staff_message(email)
    elif email.kind in Kind.automatic_answers() and email.inbound is not None:
        message = answer_message(email)
    else:
        raise ValueError(f"email {email.pk} of kind {email.kind!r} cannot be written")
    message.extra_headers["Message-ID"] = email.internet_message_id
    return message
