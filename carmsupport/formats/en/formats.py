"""English as Canada.ca writes it: "Wednesday, November 25, 2026", "2:05 p.m."."""

from django.conf.locale.en.formats import *  # noqa: F403

WEEKDAY_DATE_FORMAT = "l, F j, Y"
WEEKDAY_DATETIME_FORMAT = "l, F j, Y, P"
HOUR_FORMAT = "P"  # "7 p.m.", for times on the hour
