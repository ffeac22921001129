"""Dates, times and percentages in the page's language, with each language's formats ({% load dates %})."""

from django import template
from django.utils.translation import gettext

from helpdesk import times

register = template.Library()

register.filter("weekday_date", times.weekday_date)


@register.filter(needs_autoescape=True)
def eastern_time(value, form=times.STAMP, autoescape=True):
    """{{ message.created_at|eastern_time:"day" }}: the moment as helpdesk.times.eastern_time writes it,
    "stamp" (the default), "day" or "due"; in a plain-text email (autoescape off), as plain text."""
    return times.eastern_time(value, form, html=autoescape) if value else ""


@register.filter
def percent(value):
    """ "90.5%"; « 90,5 % »: the number as given (already formatted, or not), and the sign as the language writes it."""
    return gettext("%(value)s%%") % {"value": value}
