"""Log lines as JSON, one object a line, for a log collector (LOG_FORMAT=json).

Each line has `time` (ISO 8601, UTC), `level`, `logger`, `message` and `request_id`; then, when the
record has them, the fields of the per-request line (`view`, `method`, `status`, `duration_ms`), the
status Django gives a failed request (`status_code`), and a traceback (`exc_info`) kept on the same
line. Nothing else a record carries is written: a library's extras may hold a request, its path
and its cookies. Links' secrets are blanked in the message by RedactLinksFilter, and in tracebacks here.
"""

from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter as LibraryJsonFormatter

from .middleware import NO_REQUEST, RedactLinksFilter

EXTRAS = ("view", "method", "status", "duration_ms", "status_code")


class JsonFormatter(LibraryJsonFormatter):
    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        log_data["request_id"] = getattr(record, "request_id", NO_REQUEST)
        for name in EXTRAS:
            if name in record.__dict__:
                log_data[name] = record.__dict__[name]
        for name in ("exc_info", "stack_info"):
            if message_dict.get(name):
                log_data[name] = RedactLinksFilter.LINK.sub(r"\1[redacted]", str(message_dict[name]))
