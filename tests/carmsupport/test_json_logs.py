"""Logs as one JSON object a line in production (LOG_FORMAT), with the request id, the per-request fields,
tracebacks on their line, and neither links' secrets nor what a library attached to the record."""

import io
import json
import logging

import pytest

from carmsupport.json_logs import JsonFormatter
from carmsupport.middleware import RedactLinksFilter, RequestIdFilter, request_id_context
from tests.carmsupport.test_settings import PRODUCTION, manage

TOKEN = "eyJjIjo0MiwiayI6IjdmM2EifQ:1vQ8xY:Zm9vYmFyLXNpZ25hdHVyZS1zZWNyZXQ"


@pytest.fixture
def lines():
    """A logger whose lines go through the production handler's filters and the JSON formatter; the lines read back."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.addFilter(RedactLinksFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.json_logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def test_a_request_line_has_its_fields(lines):
    """The per-request line: time in UTC, level, logger, message, request id, view, method, status, duration."""
    logger, read = lines
    with request_id_context("abcdef0123456789"):
        logger.info("request", extra={"view": "cases:contact", "method": "POST", "status": 302, "duration_ms": 41.5})
    (line,) = read()
    assert line.pop("time").endswith("+00:00")
    assert line == {
        "level": "INFO",
        "logger": "tests.json_logs",
        "message": "request",
        "request_id": "abcdef0123456789",
        "view": "cases:contact",
        "method": "POST",
        "status": 302,
        "duration_ms": 41.5,
    }


def test_what_a_library_attaches_is_left_out(lines):
    """Django's request log attaches the request (its path, cookies and all): only its status is kept."""
    logger, read = lines
    request = f"<WSGIRequest: GET '/en/conversation/open/{TOKEN}/'>"
    logger.warning("Not Found: %s", f"/en/conversation/open/{TOKEN}/", extra={"status_code": 404, "request": request})
    (line,) = read()
    assert line["message"] == "Not Found: /en/conversation/open/[redacted]/"
    assert line["status_code"] == 404 and "request" not in line and line["request_id"] == "-"
    assert TOKEN[:12] not in json.dumps(line)


def test_a_traceback_stays_on_its_line_without_a_link_secret(lines):
    logger, read = lines
    try:
        raise ValueError(f"no case at /fr/resolue/{TOKEN}/")
    except ValueError:
        logger.exception("Failed")
    (line,) = read()
    assert line["message"] == "Failed" and line["level"] == "ERROR"
    assert (
        "Traceback (most recent call last)" in line["exc_info"]
        and "ValueError: no case at /fr/resolue/[redacted]/" in (line["exc_info"])
    )
    assert TOKEN[:12] not in json.dumps(line)


SAY = "import logging; logging.getLogger('cases').warning('Email %s sent', 7)"


def test_production_logs_json_by_default():
    result = manage("shell", "-c", SAY, **PRODUCTION)
    (line,) = [json.loads(line) for line in result.stderr.splitlines()]
    assert line["message"] == "Email 7 sent" and line["logger"] == "cases" and line["level"] == "WARNING"


@pytest.mark.parametrize("environment", [{}, {**PRODUCTION, "LOG_FORMAT": "plain"}])
def test_plain_lines_elsewhere_or_when_asked(environment):
    result = manage("shell", "-c", SAY, **environment)
    assert result.stderr.strip().endswith("WARNING cases [-] Email 7 sent")


def test_an_unknown_format_stops_the_start():
    result = manage("check", LOG_FORMAT="xml")
    assert result.returncode != 0 and "LOG_FORMAT must be json or plain." in result.stderr


def test_no_request_id_once_the_response_is_sent(client, lines):
    """Lines logged between requests (a server's worker exiting) carry no request's id."""
    logger, read = lines
    assert client.get("/healthz", headers={"X-Request-ID": "abcdef0123456789"})["X-Request-ID"] == "abcdef0123456789"
    logger.info("Worker exiting")
    assert read()[0]["request_id"] == "-"
