"""The case list's selection exported as CSV for spreadsheets (carmsupport.tables: no cell runs as a formula)."""

from django.utils.translation import gettext_lazy as _

from carmsupport.tables import Column, csv_response

FILENAME = "cases.csv"
COLUMNS = [
    Column(_("reference"), lambda case: case.display_reference),
    Column(_("received"), lambda case: case.received_at.isoformat()),
    Column(_("topic"), lambda case: case.topic.name),
    Column(_("response class"), lambda case: case.response_class),
    Column(_("status"), lambda case: case.status),
    Column(_("due"), lambda case: case.due_at.isoformat()),
    Column(_("first response"), lambda case: case.first_response_at.isoformat() if case.first_response_at else ""),
    Column(_("target met"), lambda case: {True: "yes", False: "no", None: ""}[case.met_standard]),
    Column(_("assigned to"), lambda case: case.assigned_to.get_username() if case.assigned_to else ""),
]


def cases_csv(cases):
    """The cases as a CSV file to download: one header row, then one row per case."""
    return csv_response(FILENAME, COLUMNS, cases)
