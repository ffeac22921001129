"""Moments written in Eastern time: each form, in both languages, as HTML and as plain text."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from helpdesk.times import DAY, DUE, STAMP, date_words, eastern_time

# Thursday 26 November 2026, 00:05 in Toronto: the next day in UTC, whatever the server's zone.
MOMENT = datetime(2026, 11, 26, 5, 5, 30, 123456, tzinfo=UTC)
SEVEN_PM = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)  # Wednesday 25 November, 19:00 in Toronto
FIRST = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # Tuesday 1 December, 9:00 in Toronto


@pytest.mark.parametrize(
    "language, form, moment, written",
    [
        ("en", STAMP, MOMENT, "2026-11-26 00:05 ET"),
        ("fr", STAMP, MOMENT, "2026-11-26 00:05 HE"),
        ("en", DAY, SEVEN_PM, "Wednesday, November 25, 2026, 7 p.m. Eastern time"),
        ("fr", DAY, SEVEN_PM, "le mercredi 25 novembre 2026 à 19\u00a0h (heure de l'Est)"),
        ("en", DUE, MOMENT, "12:05 a.m. Eastern time on Thursday, November 26, 2026"),
        ("fr", DUE, MOMENT, "le jeudi 26 novembre 2026 à 0\u00a0h\u00a005 (heure de l'Est)"),
        ("en", DUE, FIRST, "9 a.m. Eastern time on Tuesday, December 1, 2026"),
        ("fr", DUE, FIRST, "le mardi 1er décembre 2026 à 9\u00a0h (heure de l'Est)"),
    ],
)
def test_each_form_in_each_language_as_plain_text(settings, language, form, moment, written):
    settings.TIME_ZONE = "America/Vancouver"
    with translation.override(language):
        assert eastern_time(moment, form, html=False) == written


def test_the_stamp_keeps_its_date_and_its_time_whole():
    """Two spans, so that a narrow column breaks between them only; the datetime to the second."""
    with translation.override("en"):
        assert eastern_time(MOMENT) == (
            '<time class="case-time" datetime="2026-11-26T00:05:30-05:00">'
            "<span>2026-11-26</span> <span>00:05 ET</span></time>"
        )


def test_the_words_in_html_keep_the_translation_as_written():
    """As {% blocktranslate %} writes them: the apostrophe of « l'Est » is not escaped."""
    with translation.override("fr"):
        assert eastern_time(SEVEN_PM, DUE) == "le mercredi 25 novembre 2026 à 19\u00a0h (heure de l'Est)"


def test_nothing_stays_nothing_and_an_unknown_form_is_refused():
    assert eastern_time(None) is None
    with pytest.raises(ValueError, match="no such form"):
        eastern_time(MOMENT, "long")


def test_the_filter_writes_html_in_pages_and_text_in_plain_text_emails():
    page = Template('{% load dates %}{{ at|eastern_time }}|{{ at|eastern_time:"due" }}|{{ none|eastern_time }}')
    text = Template("{% load dates %}{% autoescape off %}{{ at|eastern_time }}{% endautoescape %}")
    with translation.override("en"):
        context = Context({"at": MOMENT, "none": None})
        stamp, due, nothing = page.render(context).split("|")
        assert stamp.startswith('<time class="case-time"') and due.startswith("12:05 a.m. Eastern time on Thursday")
        assert nothing == ""
        assert text.render(Context({"at": MOMENT})) == "2026-11-26 00:05 ET"


@pytest.mark.parametrize(
    "language, value, form, written",
    [
        ("fr", date(2026, 12, 1), "WEEKDAY_DATE_FORMAT", "mardi 1er décembre 2026"),
        ("fr", date(2026, 12, 1), "j F Y", "1er décembre 2026"),
        ("fr", date(2026, 12, 1), "MONTH_DAY_FORMAT", "1er décembre"),
        ("fr", date(2026, 12, 11), "j F Y", "11 décembre 2026"),
        ("fr", date(2026, 12, 21), "WEEKDAY_DATE_FORMAT", "lundi 21 décembre 2026"),
        ("en", date(2026, 12, 1), "WEEKDAY_DATE_FORMAT", "Tuesday, December 1, 2026"),
        ("en", date(2026, 12, 1), "j F Y", "1 December 2026"),
    ],
)
def test_the_first_of_a_month_is_1er_in_french(language, value, form, written):
    with translation.override(language):
        assert date_words(value, form) == written
