"""What a client newly wrote in an email: the body without quoted history, reply headers or signature.

Forwarded messages are kept: a client who forwards us an email (an error message, a notice from CBSA)
wants us to read it, so `new` holds what they wrote above the forward line, then the forward line and
the forwarded message as it came. A forward found below a reply header belongs to the quoted history
and goes with it.
"""

import codecs
import email.message
import functools
import re
from dataclasses import dataclass

from mailparser_reply.parser import EmailMessage as ReplyParser

from .html_text import FORWARD_LINE, html_to_text, is_forward

LANGUAGES = ["en", "fr"]

QUOTED_LINE = re.compile(r"^\s*>")
# The attribution line(s) above a quoted block: "On …, X wrote:", "Le … a écrit :" (Gmail may wrap it
# over two lines). Removed with the block, which also lets a bottom-posted reply keep only its new text.
ATTRIBUTION_END = re.compile(r"(?:\bwrote|\ba [ée]crit)\s*:\s*$", re.IGNORECASE)
ATTRIBUTION_START = re.compile(r"^\s*(?:On|Le)\s", re.IGNORECASE)

# Where mail-parser-reply 1.36 does not see the end of the new text, everything from these lines on is
# the client's mail program speaking, or history:
OWN_CUTS = re.compile(
    "|".join(
        [
            # French Outlook's separator; the library knows only "-----Original Message-----".
            r"^-{2,}\s*Message d'origine\s*-{2,}\s*$",
            # French mobile signatures; the library's French list has only "Envoyé depuis".
            r"^Envoy[ée] (?:de mon|depuis mon|à partir de|à partir de mon) \S+(?: \S+){0,3}$",
            r"^(?:Obtenir|Télécharger) Outlook pour \S+$",
            # French Outlook puts a no-break space before the colons of its header block ("De\u00a0:");
            # the library's French block expects a plain space.
            r"^\*?De\s?:.*\n\*?(?:Envoy[ée]|Date)\s?:",
        ]
    ),
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True)
class WrittenText:
    new: str  # only what the client newly wrote
    whole: str  # the whole body as text, quoted history included, for staff to read the original


def written_text(message: email.message.EmailMessage) -> WrittenText:
    """The text a client newly wrote in `message`, and the whole body as text."""
    whole = _body_text(message)
    new = _new_text(whole)
    return WrittenText(new=new or whole, whole=whole)


def _decoded(part):
    """A text part's content as str, whatever its transfer encoding and (declared or mislabelled) charset."""
    payload = part.get_payload(decode=True) or b""
    charset = (part.get_content_charset() or "us-ascii").lower()
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    if charset in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        # Mail labelled Latin-1 or ASCII is often Windows-1252 (curly quotes, œ, €) or UTF-8 in fact.
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            charset = "windows-1252"
    return payload.decode(charset, errors="replace")


def _unflowed(text, delsp):
    """Plain text sent format=flowed (RFC 3676): soft line breaks (a line ending in a space) joined,
    space-stuffing undone, quote depth kept."""
    out, open_depth = [], None  # open_depth: the quote depth of a paragraph still flowing, if any
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if open_depth == depth:
            out[-1] += content
        else:
            out.append((">" * depth + " " if depth else "") + content)
        open_depth = depth if flowed else None
    return "\n".join(out)


def _body_text(message):
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _decoded(body).replace("\r\n", "\n").replace("\r", "\n")
    if body.get_content_subtype() == "html":
        return html_to_text(text)
    if body.get_param("format", "").lower() == "flowed":
        text = _unflowed(text, delsp=body.get_param("delsp", "").lower() == "yes")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def _new_text(text):
    lines = text.split("\n")
    forward = _forward_start(lines)
    if forward is None:
        return _reply_text(lines)
    written = _reply_text(lines[:forward])
    forwarded = "\n".join(lines[forward:]).strip()
    return f"{written}\n\n{forwarded}" if written else forwarded


def _forward_start(lines):
    """The line where a message the client forwards begins, if it comes before any reply history."""
    for index, line in enumerate(lines):
        if QUOTED_LINE.match(line):
            continue
        block = "\n".join(lines[index : index + 8])
        if FORWARD_LINE.match(line) or (_starts_history(block) and is_forward(block)):
            return index
        if _starts_history(block):
            return None
    return None


def _starts_history(block):
    """Whether `block` begins with a reply header: a separator or an Outlook/Apple header block."""
    first = block.split("\n", 1)[0]
    if not first.strip():
        return False
    if OWN_CUTS.match(block) and not re.match(r"^(?:Envoy|Obtenir|T[ée]l[ée]charger)", first, re.IGNORECASE):
        return True
    return bool(_reply_headers().match(block))


@functools.cache
def _reply_headers():
    """The library's pattern for reply headers, in our languages ("On … wrote:", "From:/Sent:", "De :/Envoyé :")."""
    return _parser("").HEADER_REGEX


def _parser(text):
    # Hyphen lists ("- my passport") are the client's words, not a signature.
    return ReplyParser(text=text, languages=list(LANGUAGES), keep_hyphen_lists=True)


def _without_quotes(lines):
    """The lines that are not quoted history: no "> " lines, nor the attribution line(s) above them."""
    kept = list(lines)
    dropped = [bool(QUOTED_LINE.match(line)) for line in kept]
    for index in range(len(kept)):
        if not dropped[index] or (index and dropped[index - 1]):
            continue
        above = index - 1
        while above >= 0 and not kept[above].strip():
            above -= 1
        if above < 0 or not ATTRIBUTION_END.search(kept[above]):
            continue
        if ATTRIBUTION_START.match(kept[above]):
            dropped[above] = True
        elif above and ATTRIBUTION_START.match(kept[above - 1]):
            dropped[above - 1] = dropped[above] = True
        # Otherwise the client's own sentence ("the portal wrote:") introduces what they quote: kept.
    return [line for line, drop in zip(kept, dropped, strict=True) if not drop]


def _reply_text(lines):
    text = "\n".join(_without_quotes(lines))
    cut = OWN_CUTS.search(text)
    if cut:
        text = text[: cut.start()]
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text:
        return ""
    replies = _parser(text).read().replies
    if not replies or replies[0].headers:
        # The text begins with a reply header: nothing the client wrote comes before it.
        return ""
    return replies[0].body.strip()
