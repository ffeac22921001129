"""How the staff pages show a case's times and lateness: in Eastern time with the zone written, and
"overdue" in words, never by a colour or an icon alone."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext

from helpdesk.calendar import business_days_elapsed
from helpdesk.models import ClosureDay
from helpdesk.times import eastern_time as eastern  # the stamp, "2026-11-25 19:00 ET", as the case admin names it

from ..models import Case


def eastern_field(name, model=Case, description=None):
    """A read-only column or field showing the datetime field `name` of `model` as a stamp in Eastern time."""

    @admin.display(description=description or model._meta.get_field(name).verbose_name, ordering=name)
    def show(model_admin, obj):
        value = getattr(obj, name)
        return model_admin.get_empty_value_display() if value is None else eastern(value)

    return show


def all_closure_days():
    """The closure days staff entered: a few a year, read in one query."""
    return set(ClosureDay.objects.values_list("date", flat=True))


def overdue_words(case, closed_days, now=None):
    """ "Overdue" or "3 business days overdue" while the case waits past its reply target, followed by
    ", escalated" once the team's leads were told (cases.warnings); "" otherwise."""
    if not case.is_overdue:
        return ""
    days = business_days_elapsed(case.reply_due_at, now or timezone.now(), closed_days)
    if not days:
        words = gettext("Overdue")
    else:
        words = ngettext("%(count)d business day overdue", "%(count)d business days overdue", days) % {"count": days}
    if case.is_escalated:
        # Translators: "Overdue, escalated": the team's leads were told the reply target was missed.
        return gettext("%(overdue)s, escalated") % {"overdue": words}
    return words


def overdue_marker(case, closed_days, now=None):
    """overdue_words() in the red of errors, as text; nothing when the case is not overdue."""
    words = overdue_words(case, closed_days, now)
    return format_html('<strong class="case-overdue">{}</strong>', words) if words else ""
