"""Request ids for the logs, the Permissions-Policy header, and a friendly page when the database fails."""

import contextlib
import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.shortcuts import render

logger = logging.getLogger(__name__)

_request_id = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
NO_REQUEST = "-"


def current_request_id() -> str:
    """The id of the request being answered (or of the one that queued the work being done); "" outside any."""
    found = _request_id.get()
    return "" if found == NO_REQUEST else found


@contextlib.contextmanager
def request_id_context(request_id: str):
    """Log lines within carry `request_id` (none when empty), e.g. the worker sending an email a request queued."""
    token = _request_id.set(request_id or NO_REQUEST)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every log record, as %(request_id)s."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class RedactLinksFilter(logging.Filter):
    """Blanks the secret of clients' links in any logged line (a request's path included): conversation
    links, and the links that answer "Did we resolve your request?"."""

    # In the English addresses and the French ones (/fr/conversation/ouvrir/…, /fr/resolue/…).
    LINK = re.compile(r"(/conversation/(?:open|ouvrir)/|/(?:resolved|resolue)/(?!recorded/|reponse/))[^/\s\"']+")
    MARKS = ("/conversation/open/", "/conversation/ouvrir/", "/resolved/", "/resolue/")

    def filter(self, record):
        message = record.getMessage()
        if any(mark in message for mark in self.MARKS):
            record.msg, record.args = self.LINK.sub(r"\1[redacted]", message), ()
        return True


class RequestIdMiddleware:
    """Tags each request with an id (the proxy's X-Request-ID if sane), echoed in the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.id = given if _VALID_ID.match(given) else uuid.uuid4().hex
        # Not reset on the way out: Django logs the response's status after the
        # middleware has returned, and that line should carry the id too. It is
        # forgotten once the response is sent (`_forget_request_id`).
        _request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


def _forget_request_id(**kwargs):
    """The lines a server process logs between requests (a worker exiting) carry no request's id."""
    _request_id.set(NO_REQUEST)


request_finished.connect(_forget_request_id, dispatch_uid="carmsupport.forget_request_id")


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class DatabaseUnavailableMiddleware:
    """A database that does not answer, or stays locked, gets "please try again" with 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("Database unavailable: %s", type(exception).__name__)
        return service_unavailable(request)


def reset_connections() -> None:
    """Close this thread's database connections after an outage; the next query connects anew."""
    for each in connections.all(initialized_only=True):
        try:
            each.close()
        except DatabaseError:
            each.connection = None  # already gone: forget it


def service_unavailable(request, template="errors/503.html", context=None):
    """ "Please try again" with 503 and Retry-After; a form page passes its own template, to keep what was typed."""
    response = render(request, template, context, status=503)
    response["Retry-After"] = "30"
    return response
