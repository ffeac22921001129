"""Moments as people read them: in Eastern time, the helpdesk's, whatever the server's zone, with the
zone written, in the active language's formats. `eastern_time` writes every one the site shows, on
its pages, in its emails and in staff replies; the template filter of the same name ({% load dates %})
is the way templates call it.

Its forms:
- STAMP, on the staff pages: "2026-11-25 19:00 ET" (« 2026-11-25 19:00 HE »), as a <time> element
  whose date and time each stay whole, so that a narrow column breaks the line between them only;
- DAY, when a message came: "Wednesday, November 25, 2026, 7 p.m. Eastern time";
- DUE, when a reply is due: "7 p.m. Eastern time on Wednesday, November 25, 2026".
In French, DAY and DUE read alike: « le mercredi 25 novembre 2026 à 19 h (heure de l'Est) ».
"""

import re
from datetime import date, datetime, time

from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from .calendar import eastern

STAMP, DAY, DUE = "stamp", "day", "due"


def date_words(value: date, format_name: str) -> str:
    """The date in the active language's format `format_name` (or a format string), with the first
    of a month written « 1er » in French, as French typography has it: « mardi 1er décembre 2026 »."""
    form = formats.get_format(format_name) if format_name.isupper() else format_name
    if value.day == 1 and (get_language() or "").startswith("fr"):
        form = re.sub(r"(?<!\\)j", r"\\1\\e\\r", form)  # "1er" escaped, so as not to be read as formats
    return formats.date_format(value, form)


def weekday_date(value: date) -> str:
    """ "Wednesday, November 25, 2026"; « mercredi 25 novembre 2026 », « mardi 1er décembre 2026 »."""
    return date_words(value, "WEEKDAY_DATE_FORMAT")


def clock(value: time | datetime) -> str:
    """ "7 p.m." or "2:05 p.m."; « 19 h » or « 14 h 05 »."""
    return formats.time_format(value, "HOUR_FORMAT" if value.minute == 0 else "TIME_FORMAT")


def _words(form: str) -> str:
    """The sentence of a form, translated; its parts are %(day)s and %(time)s."""
    if form == STAMP:
        # Translators: a time of day in Eastern time, e.g. "19:00 ET"; in French "19:00 heure de l'Est".
        return gettext("%(time)s ET")
    if form == DAY:
        return gettext("%(day)s, %(time)s Eastern time")
    if form == DUE:
        return gettext("%(time)s Eastern time on %(day)s")
    raise ValueError(f"no such form of a moment: {form!r}")


def eastern_time(moment: datetime | None, form: str = STAMP, *, html: bool = True) -> str | SafeString | None:
    """The moment in Eastern time, written in `form` (STAMP, DAY or DUE) in the active language.

    As HTML by default: the translation trusted and the date and time escaped, as {% blocktranslate %}
    does. With html=False, as plain text, for a plain-text email or Markdown. None stays None.
    """
    if moment is None:
        return None
    local = eastern(moment)
    if form == STAMP:
        parts = {"time": f"{local:%H:%M}"}
    else:
        parts = {"day": weekday_date(local), "time": clock(local)}
    escape = conditional_escape if html else str
    text = _words(form) % {name: escape(value) for name, value in parts.items()}
    if form != STAMP:
        return mark_safe(text) if html else text  # noqa: S308  (its parts escaped above)
    if not html:
        return f"{local:%Y-%m-%d} {text}"
    return format_html(
        '<time class="case-time" datetime="{}"><span>{}</span> <span>{}</span></time>',
        local.replace(microsecond=0).isoformat(),
        f"{local:%Y-%m-%d}",
        mark_safe(text),  # noqa: S308  (its parts escaped above)
    )
