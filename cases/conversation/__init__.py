"""The conversation after the request: staff replies and client follow-ups written with their rules
(`services`), the client's page and its form (`views`, `forms`), fresh links by email (`links`), and
canned responses filled in for a case (`canned`)."""
