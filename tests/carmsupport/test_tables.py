"""One rule for every CSV file the site writes: no cell runs as a formula, numbers are written as they are,
and the headers are in the staff member's language; and one drawing for a table's bars."""

import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from carmsupport.charts import table_bar
from carmsupport.tables import Column, csv_response, page_table, spreadsheet_safe, starts_formula


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2 help", "'-2 help"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-1.5", "'-1.5"),  # text, wherever it came from
        ("x=1", "x=1"),
        ("", ""),
        (None, ""),
        (3, 3),
        (-1.5, -1.5),
        (-7, -7),
        (Decimal("-0.5"), Decimal("-0.5")),
        (True, "True"),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell


def test_starts_formula():
    assert [starts_formula(text) for text in ("=A1", "@x", "a=b", " -1")] == [True, True, False, False]


COLUMNS = [
    Column(gettext_lazy("Visits"), lambda row: row["visits"]),
    Column(gettext_lazy("Deflection rate"), lambda row: row["rate"], file_header=gettext_lazy("Deflection rate (%)")),
    Column(gettext_lazy("Answer"), lambda row: row["answer"], shown=lambda row: row["answer"].upper()),
]
ROWS = [{"visits": 4, "rate": -12.5, "answer": "=yes"}, {"visits": 0, "rate": None, "answer": "no"}]


def test_csv_response():
    """Headers in the language of the moment, the file's own where given; every cell through one rule."""
    with translation.override("fr"):
        response = csv_response("table.csv", COLUMNS, ROWS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="table.csv"'
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["Visites", "Taux de visites sans demande (%)", "Réponse"],
        ["4", "-12.5", "'=yes"],
        ["0", "", "no"],
    ]


def test_page_table():
    """The page's headers and cells come from the same columns, shown as the page shows them."""
    with translation.override("en"):
        table = page_table(COLUMNS, ROWS, label=lambda row: f"row {row['visits']}")
        assert [str(header) for header in table["headers"]] == ["Visits", "Deflection rate", "Answer"]
    assert table["rows"] == [
        {"label": "row 4", "cells": [4, -12.5, "=YES"]},
        {"label": "row 0", "cells": [0, None, "NO"]},
    ]


def test_table_bar():
    """Whole pixels against the longest bar, never a localized number; nothing for nothing."""
    with translation.override("fr"):
        assert 'rect width="33" height="6"' in table_bar(1, 3, height=6)
    assert 'rect width="100" height="10"' in table_bar(7, 7)
    assert 'rect width="0"' in table_bar(0, 0) and 'rect width="0"' in table_bar(-1, 5)
    assert table_bar(1, 3).startswith('<svg width="100" height="10" viewBox="0 0 100 10" aria-hidden="true">')
