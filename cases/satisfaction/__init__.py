""" "Did we resolve your request?": the client's answer recorded with its rules, and the assignee told of
a No (`services`); the pages the email's two links open (`views`, `forms`)."""
