"""Canned responses filled in for one case: the placeholders staff may use, and their values."""

import re

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carmsupport.dates import clock, weekday_date

from .models import CannedResponse, Case

# What each placeholder stands for, as the admin's help text lists them.
PLACEHOLDERS = {
    "reference": gettext_lazy("the case's reference number"),
    "client_name": gettext_lazy("the client's name"),
    "due": gettext_lazy("the date and time the next reply is due"),
    "topic": gettext_lazy("the case's topic"),
}
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def unknown_placeholders(text: str) -> list[str]:
    """The {names} in a text that are not placeholders."""
    return sorted({name for name in PLACEHOLDER.findall(text or "") if name not in PLACEHOLDERS})


def offered(case: Case):
    """The canned responses for the case's topic, and those for every topic."""
    return CannedResponse.objects.filter(Q(topic=case.topic_id) | Q(topic__isnull=True))


def filled(canned: CannedResponse, case: Case) -> str:
    """The response's text in the case's reply language, its placeholders filled in from the case.

    Only the known placeholders are replaced; any other brace is left as written.
    """
    language = case.preferred_language
    with translation.override(language):
        due = case.reply_due_local or case.due_local
        values = {
            "reference": case.display_reference,
            "client_name": case.full_name,
            "due": _("%(time)s Eastern time on %(day)s") % {"time": clock(due), "day": weekday_date(due)},
            "topic": case.topic.name,
        }
    text = getattr(canned, f"body_{language}", "") or canned.body_en
    return PLACEHOLDER.sub(lambda match: str(values.get(match[1], match[0])), text)
