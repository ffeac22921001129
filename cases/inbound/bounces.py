"""Bounces: a mail server's report that one of our emails to a client could not be delivered.

Two shapes are read:
- a delivery status notification (RFC 3464): Content-Type multipart/report; report-type=delivery-status,
  with a message/delivery-status part (per recipient: Action, Status, Diagnostic-Code) and the
  original email, whole (message/rfc822) or its headers (text/rfc822-headers);
- an older, free-form bounce from MAILER-DAEMON or postmaster (qmail, Exim, some gateways): its text
  says what failed, and the original's Message-ID is in the text or in an attached message.

Only a permanent failure counts: Action "failed", or a 5.x.x status. A delay (Action "delayed", a
4.x.x status) is not a bounce: the mail server is still trying. The email bounced is found by the
Message-ID we gave it (OutboundEmail.internet_message_id); a report about anything else (a message
forged with our address, say) is nobody's bounce.

The reason kept for staff is the status code and the mail server's diagnostic, at most 300
characters, without any address in it.
"""

import re
from email import message_from_string, policy

from ..models import OutboundEmail
from .matching import MESSAGE_IDS, addresses

REASON_LENGTH = 300
DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
# An enhanced status code (RFC 3463), not part of a longer dotted number such as an IP address.
STATUS_CODE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)")
SMTP_PERMANENT = re.compile(r"(?<![\d.])5[0-5]\d(?![\d.])")
PERMANENT_WORDS = re.compile(r"permanent|given up|giving up|does not exist|user unknown|no such user", re.I)
DELAY_WORDS = re.compile(r"delayed|will (?:be )?retr|still (?:being )?(?:trying|retried)|not yet been delivered", re.I)
MESSAGE_ID_LINE = re.compile(r"^\s*(?:X-Original-)?Message-ID:\s*(<[^<>\s]+>)", re.I | re.M)
ADDRESS = re.compile(r"<?[^\s<>@;:,\"'()\[\]]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+>?")
DIAGNOSTIC_TYPE = re.compile(r"^[A-Za-z0-9-]+\s*;\s*")
ORIGINAL_PARTS = ("message/rfc822", "message/global", "text/rfc822-headers", "message/global-headers")


def bounced_email(message) -> tuple[OutboundEmail, str] | None:
    """The email to a client that `message` reports as refused for good, and why; None when `message`
    is no such report (a person's email, a delay, a bounce of an email we did not send)."""
    if _is_delivery_status(message):
        report = _report(message)
    elif from_daemon(message):
        report = _free_form(message)
    else:
        return None
    if report is None:
        return None
    status, diagnostic = report
    email = _email_of(_original_ids(message))
    if email is None:
        return None
    return email, reason(status, diagnostic)


def delivery_report(message) -> bool:
    """Whether `message` is a mail server's report about delivery, a bounce or a delay, ours or not."""
    return _is_delivery_status(message) or from_daemon(message)


def from_daemon(message) -> bool:
    """Whether `message` comes from a mail server (MAILER-DAEMON, postmaster) or says which recipients
    failed (Exim's X-Failed-Recipients)."""
    sent_by = addresses(message, ["From"])
    local = sent_by[0].partition("@")[0] if sent_by else ""
    return local in DAEMONS or "X-Failed-Recipients" in message


def reason(status: str, diagnostic: str) -> str:
    """What staff read: "5.1.1: the diagnostic", whitespace folded, no address, 300 characters at most."""
    text = ADDRESS.sub("(recipient)", " ".join(diagnostic.split()))
    text = DIAGNOSTIC_TYPE.sub("", text)
    return (f"{status}: {text}" if text else status)[:REASON_LENGTH]


def _is_delivery_status(message) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def _report(message) -> tuple[str, str] | None:
    """The status and diagnostic of the first recipient whose delivery failed for good, from the
    message/delivery-status part; None when none did (delayed, delivered, relayed)."""
    for part in _parts(message):
        if part.get_content_type() != "message/delivery-status":
            continue
        # Its first block is about the message, the others each about one recipient.
        for block in _blocks(part)[1:]:
            action = str(block.get("Action", "")).strip().lower()
            status = str(block.get("Status", "")).strip()
            code = STATUS_CODE.search(status)
            if action == "failed" or (code and code.group(1) == "5" and action != "delayed"):
                return (code.group(0) if code else status or "5.0.0"), str(block.get("Diagnostic-Code", ""))
    return None


def _free_form(message) -> tuple[str, str] | None:
    """The status and diagnostic of a free-form bounce, read from its own text (not the original's);
    None when its text says the mail server is still trying, or says nothing of a failure."""
    text = "\n".join(_text_of(part) for part in _parts(message) if part.get_content_type() == "text/plain")
    text = _before_copy(text)
    codes = list(STATUS_CODE.finditer(text))
    permanent = next((code for code in codes if code.group(1) == "5"), None)
    if permanent is not None:
        return permanent.group(0), _line_of(text, permanent.start())
    if codes or DELAY_WORDS.search(text):
        return None
    smtp = SMTP_PERMANENT.search(text)
    if smtp is not None:
        return "5.0.0", _line_of(text, smtp.start())
    words = PERMANENT_WORDS.search(text)
    if words is not None:
        return "5.0.0", _line_of(text, words.start())
    return None


def _before_copy(text: str) -> str:
    """The bounce's own words, without the copy of the original that free-form bounces append."""
    found = MESSAGE_ID_LINE.search(text)
    if found is None:
        return text
    # The copy starts with its header block: cut at the blank line before the Message-ID's block.
    head = text[: found.start()]
    cut = head.rfind("\n\n")
    return head[:cut] if cut != -1 else head


def _line_of(text: str, at: int) -> str:
    """The paragraph of `text` around position `at`."""
    start = text.rfind("\n\n", 0, at)
    end = text.find("\n\n", at)
    return text[start + 2 if start != -1 else 0 : end if end != -1 else len(text)]


def _parts(message):
    """The parts of `message`, without going into the messages it carries."""
    if message.get_content_maintype() == "message" or not message.is_multipart():
        yield message
        return
    for part in message.get_payload():
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            yield from _parts(part)
        else:
            yield part


def _original_ids(message) -> list[str]:
    """The Message-IDs the report gives for the original email: its attached copy or headers first,
    then the ids in its text, then the report's own In-Reply-To and References."""
    ids = []
    for part in _parts(message):
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global") and isinstance(part.get_payload(), list) and part.get_payload():
            ids += MESSAGE_IDS.findall(str(part.get_payload()[0].get("Message-ID", "")))
        elif kind in ORIGINAL_PARTS:
            headers = message_from_string(_text_of(part), policy=policy.default)
            ids += MESSAGE_IDS.findall(str(headers.get("Message-ID", "")))
        elif kind == "message/delivery-status":
            ids += [str(block.get("X-Original-Message-ID", "")) for block in _blocks(part)[:1]]
        elif kind == "text/plain":
            ids += MESSAGE_ID_LINE.findall(_text_of(part))
    for header in ("In-Reply-To", "References"):
        ids += MESSAGE_IDS.findall(str(message.get(header, "")))
    return [each.strip() for each in ids if each.strip()]


def _blocks(part) -> list:
    """The header blocks of a message/delivery-status part (a malformed one has none)."""
    payload = part.get_payload()
    return payload if isinstance(payload, list) else []


def _text_of(part) -> str:
    """A text part's content, whatever charset it claims."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return str(part.get_payload())
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _email_of(ids: list[str]) -> OutboundEmail | None:
    """Our email to a client (not to staff) with one of these Message-IDs, on a case not anonymised."""
    if not ids:
        return None
    found = {
        email.internet_message_id: email
        for email in OutboundEmail.objects.filter(
            internet_message_id__in=ids, case__isnull=False, recipient__isnull=True, case__anonymised_at__isnull=True
        ).select_related("case")
    }
    return next((found[each] for each in ids if each in found), None)
