"""Tables that staff see on a page and download as CSV files: each column declared once, its header
(translated) and its cell, for the page and for the file alike.

Every CSV file the site writes goes through `csv_response`, so that no cell of any of them is run by a
spreadsheet as a formula (`spreadsheet_safe`); the same rule (`starts_formula`) marks clients' CSV files.
"""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet program would read a cell holding this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_safe(value):
    """A cell for a CSV file: a number as it is (-1.5 is a number, not a formula), None empty, and text
    with a leading apostrophe when it would start a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return f"'{text}" if starts_formula(text) else text


@dataclass(frozen=True)
class Column:
    """A column of a table: its header (a lazy translation) and its cell for a row.

    `value` gives the cell in the CSV file: a number or text, None for an empty cell. `shown`, when the
    page shows the cell otherwise (in the language's formats, "none answered"), gives the page's.
    `file_header`, when the page's header says too little out of the page, is the file's. `name` is the
    column's name in the page's address, for the tables that sort by it.
    """

    header: Any
    value: Callable[[Any], Any]
    shown: Callable[[Any], Any] | None = None
    file_header: Any = None
    name: str = ""

    def cell(self, row):
        """The cell shown on the page."""
        return (self.shown or self.value)(row)


def page_table(columns: Iterable[Column], rows: Iterable, label: Callable[[Any], Any]) -> dict:
    """A table for a template: its column headers, then each row's label (its <th>) and its cells."""
    columns = list(columns)
    return {
        "headers": [column.header for column in columns],
        "rows": [{"label": label(row), "cells": [column.cell(row) for column in columns]} for row in rows],
    }


def csv_response(filename: str, columns: Iterable[Column], rows: Iterable) -> HttpResponse:
    """A CSV file to download (UTF-8, no byte order mark): a header row, then a line a row, every cell safe."""
    columns = list(columns)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(spreadsheet_safe(str(column.file_header or column.header)) for column in columns)
    for row in rows:
        writer.writerow(spreadsheet_safe(column.value(row)) for column in columns)
    return response
