"""Canned responses filled in for one case: the placeholders staff may use, and their values."""

import re

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy

from carmsupport.bilingual import in_language
from helpdesk.times import DUE, eastern_time

from ..models import CannedResponse, Case

# What each placeholder stands for, as the admin's help text lists them.
PLACEHOLDERS = {
    "reference": gettext_lazy("the case's reference number"),
    "client_name": gettext_lazy("the client's name"),
    "due": gettext_lazy("the date and time the next reply is due"),
    "topic": gettext_lazy("the case's topic"),
}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

# What Markdown gives a meaning to wherever it stands: links, images and autolinks (with the
# scheme's colon, "http:", and "@" of an address), emphasis, code, entities, strikethrough,
# tables and escapes. A hyphen, an apostrophe, parentheses or a period mean nothing there.
MARKDOWN_INLINE = re.compile(r"[\\`*_\[\]<>!&~|@]|(?<=[A-Za-z]):")
# At a line's start more is markup ("- ", "# ", "> ", "1. "): a value's first character if it is
# ASCII punctuation, or its leading digits and the "." or ")" after them.
MARKDOWN_LINE_START = re.compile(r"[!-/:-@\[-`{-~]|[0-9]+[.)]")
ASCII_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def as_markdown_text(value) -> str:
    """A value written into Markdown so that it renders as itself, on one line, never as markup.

    The characters Markdown would read as markup are backslash-escaped, the others left as they
    are, so that the text part of an email (the Markdown as written) stays readable. A client's
    name such as "[Verify your account](http://…)" stays text in the email, not a link.
    """
    # One line: a value never starts a block of its own. (A no-break space is kept, as in French.)
    text = ASCII_SPACES.sub(" ", str(value)).strip(" ")
    start = MARKDOWN_LINE_START.match(text)
    head = start.end() if start else 0
    rest = MARKDOWN_INLINE.sub(lambda match: "\\" + match[0], text[head:])
    return f"{text[: head - 1]}\\{text[head - 1]}{rest}" if start else rest


def unknown_placeholders(text: str) -> list[str]:
    """The {names} in a text that are not placeholders."""
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def offered(case: Case):
    """The canned responses for the case's topic, and those for every topic."""
    return CannedResponse.objects.filter(Q(topic=case.topic_id) | Q(topic__isnull=True))


def filled(canned: CannedResponse, case: Case) -> str:
    """The response's text in the case's reply language, its placeholders filled in from the case.

    Only the known placeholders are replaced; any other brace is left as written. The values are
    Markdown-escaped, so that what the client typed as their name never becomes a link or markup.
    """
    language = case.preferred_language
    with translation.override(language):
        values = {
            "reference": case.display_reference,
            "client_name": case.full_name,
            "due": eastern_time(case.reply_due_at or case.due_at, DUE, html=False),
            "topic": case.topic.name,
        }
    text = in_language(canned, "body", language)
    return PLACEHOLDER.sub(lambda match: as_markdown_text(values[match[1]]) if match[1] in values else match[0], text)
