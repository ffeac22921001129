"""Clients' files: checked by their content and stored privately (`files`), with the checks for text
and CSV (`text_files`) and for PDF (`pdf_check`)."""
