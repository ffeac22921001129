"""Dates, times and percentages in the page's language, with each language's formats ({% load dates %})."""

from django import template
from django.utils import formats
from django.utils.translation import gettext

from helpdesk import calendar

register = template.Library()


@register.filter
def weekday_date(value):
    """ "Wednesday, November 25, 2026"; « mercredi 25 novembre 2026 »."""
    return formats.date_format(value, "WEEKDAY_DATE_FORMAT")


@register.filter
def clock(value):
    """ "7 p.m." or "2:05 p.m."; « 19 h » or « 14 h 05 »."""
    return formats.time_format(value, "HOUR_FORMAT" if value.minute == 0 else "TIME_FORMAT")


@register.filter
def eastern(value):
    """The moment in the helpdesk's time zone, where its business days are counted."""
    return calendar.eastern(value) if value else value


@register.filter
def percent(value):
    """ "90.5%"; « 90,5 % »: the number as given (already formatted, or not), and the sign as the language writes it."""
    return gettext("%(value)s%%") % {"value": value}
