"""The service-standard report: its figures (`service_standard`), tables (`tables`), charts
(`charts`) and page (`views`)."""
