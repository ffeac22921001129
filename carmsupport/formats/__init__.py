"""Date and time formats of the site's languages, on top of Django's own (FORMAT_MODULE_PATH).

Each adds the named formats the pages use, so that templates write
`{{ case.due_local|date:"WEEKDAY_DATE_FORMAT" }}` and each language gets its own order:
"Wednesday, November 25, 2026" and « mercredi 25 novembre 2026 ».
"""
