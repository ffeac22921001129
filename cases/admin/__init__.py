"""The staff's side of cases in the admin: the case list and pages (`case_admin`), the workload
(`workload`), canned responses and outgoing emails (`mail`). Importing the modules registers them."""

from . import case_admin, mail  # noqa: F401
