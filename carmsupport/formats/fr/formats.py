"""Canadian French, from Django's fr_CA formats: « mercredi 25 novembre 2026 », « 7 h 05 », « 19 h »."""

from django.conf.locale.fr_CA.formats import *  # noqa: F403

TIME_FORMAT = "G\xa0\\h\xa0i"
WEEKDAY_DATE_FORMAT = "l j F Y"
WEEKDAY_DATETIME_FORMAT = "l j F Y, G\xa0\\h\xa0i"
HOUR_FORMAT = "G\xa0\\h"  # « 19 h », for times on the hour
