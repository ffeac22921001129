"""The staff's side of cases in the admin: the case list and pages (`case_admin`), the workload
(`workload`), canned responses and outgoing emails (`mail`), the emails received (`received`), teams and
staff's away dates (`teams`).
Importing the modules registers them."""

from . import case_admin, mail, received, teams  # noqa: F401
