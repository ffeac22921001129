"""Plain text and CSV attachments: UTF-8 throughout, without control characters or markup anywhere, told
apart by their first lines; and CSV cells that a spreadsheet would run as formulas, found for staff."""

import codecs
import csv
import io
import re

from carmsupport.tables import starts_formula

TEXT_CHUNK = 64 * 1024
SAMPLE_CHARS = 8 * 1024  # the start of the text, to tell CSV from plain text
CSV_LINES = 20

# Control characters other than tab, LF, FF and CR, C1 controls included: their presence means binary.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
CONTROL_BYTES = re.compile(b"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Text a browser could take for markup if it ever sniffed it, searched for in the whole file.
MARKUP = re.compile(r"<!doctype|<html|<script|<svg|<\?xml|<body|<head|<iframe", re.IGNORECASE)
# Characters of one chunk searched again with the next: more than the longest markup above, so that
# markup split between two chunks is found.
OVERLAP = 16


def read_text(upload, max_bytes):
    """The first SAMPLE_CHARS of the text if the whole file is UTF-8 (a BOM allowed) without control
    characters and without markup; UnicodeDecodeError or ValueError if not. Read chunk by chunk, never
    more than max_bytes."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    sample, tail, taken = "", "", 0
    upload.seek(0)
    # At most one byte past max_bytes is read: enough to know the file is larger.
    while chunk := upload.read(min(TEXT_CHUNK, max_bytes + 1 - taken)):
        taken += len(chunk)
        if taken > max_bytes:
            raise ValueError("larger than allowed")
        text = decoder.decode(chunk)
        check_text(tail + text)
        tail = (tail + text)[-OVERLAP:]
        if len(sample) < SAMPLE_CHARS:
            sample += text[: SAMPLE_CHARS - len(sample)]
    check_text(tail + decoder.decode(b"", final=True))
    return sample


def check_text(text):
    if CONTROL.search(text):
        raise ValueError("control character")
    if MARKUP.search(text):
        raise ValueError("markup")


def csv_dialect(sample):
    """The CSV dialect of the text if its first lines split on one of , ; or tab into the same number of
    columns, two or more; None if they do not (plain text)."""
    lines = sample.splitlines()
    if len(sample) >= SAMPLE_CHARS:
        lines = lines[:-1]  # the sample may end in the middle of a line
    lines = [line for line in lines if line.strip()][:CSV_LINES]
    if len(lines) < 2:
        return None
    text = "\n".join(lines)
    try:
        dialect = csv.Sniffer().sniff(text, delimiters=",;\t")
    except csv.Error:
        return None
    widths = {len(row) for row in csv.reader(io.StringIO(text), dialect)}
    return dialect if len(widths) == 1 and widths.pop() >= 2 else None


def has_formulas(upload, dialect):
    """Whether a cell of the whole CSV file starts as a formula would (carmsupport.tables.starts_formula).

    A file the csv module cannot read to its end (a cell over its size limit) counts as having some:
    nothing vouches for it.
    """
    upload.seek(0)
    # newline="": the csv module sees the line ends as written, also inside quoted cells.
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    try:
        return any(starts_formula(cell) for row in csv.reader(text, dialect) for cell in row)
    except csv.Error:
        return True
    finally:
        text.detach()  # leaves the upload open
        upload.seek(0)
