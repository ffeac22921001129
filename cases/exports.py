"""Cases exported as CSV for spreadsheets, with no cell a spreadsheet would run as a formula."""

import csv

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = [
    "reference",
    "received",
    "topic",
    "response class",
    "status",
    "due",
    "first response",
    "target met",
    "assigned to",
]


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet program would read a cell holding this text as a formula."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_safe(value) -> str:
    """The value as text, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if starts_formula(text) else text


def write_cases(stream, cases):
    """One header row, then one row per case, every cell made safe."""
    writer = csv.writer(stream)
    writer.writerow(HEADER)
    for case in cases:
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in (
                case.display_reference,
                case.received_at.isoformat(),
                case.topic.name,
                case.response_class,
                case.status,
                case.due_at.isoformat(),
                case.first_response_at.isoformat() if case.first_response_at else "",
                {True: "yes", False: "no", None: ""}[case.met_standard],
                case.assigned_to.get_username() if case.assigned_to else "",
            )
        )
