"""How the staff pages show a case's times and lateness: in Eastern time with the zone written, and
"overdue" in words, never by a colour or an icon alone."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from helpdesk import calendar
from helpdesk.calendar import business_days_elapsed
from helpdesk.models import ClosureDay

from ..models import Case


def eastern(value):
    """A moment as "2026-11-25 19:00 ET" in the helpdesk's time zone, whatever the server's; None stays None.

    The date and the time each stay whole: a narrow column breaks the line between them only."""
    if value is None:
        return None
    local = calendar.eastern(value)
    # Translators: a time of day in Eastern time, e.g. "19:00 ET"; in French "19:00 heure de l'Est".
    clock = gettext("%(time)s ET") % {"time": f"{local:%H:%M}"}
    return format_html(
        '<time class="case-time" datetime="{}"><span>{}</span> <span>{}</span></time>',
        local.replace(microsecond=0).isoformat(),
        f"{local:%Y-%m-%d}",
        clock,
    )


def eastern_field(name, model=Case, description=None):
    """A read-only column or field showing the datetime field `name` of `model` with eastern()."""

    @admin.display(description=description or model._meta.get_field(name).verbose_name, ordering=name)
    def show(model_admin, obj):
        value = getattr(obj, name)
        return model_admin.get_empty_value_display() if value is None else eastern(value)

    return show


def all_closure_days():
    """The closure days staff entered: a few a year, read in one query."""
    return set(ClosureDay.objects.values_list("date", flat=True))


def overdue_words(case, closed_days, now=None):
    """ "Overdue" or "3 business days overdue" while the case waits past its reply target; "" otherwise."""
    if not case.is_overdue:
        return ""
    days = business_days_elapsed(case.reply_due_at, now or timezone.now(), closed_days)
    if not days:
        return gettext("Overdue")
    return ngettext("%(count)d business day overdue", "%(count)d business days overdue", days) % {"count": days}


def overdue_marker(case, closed_days, now=None):
    """overdue_words() in the red of errors, as text; nothing when the case is not overdue."""
    words = overdue_words(case, closed_days, now)
    return format_html('<strong class="case-overdue">{}</strong>', words) if words else ""
