"""Request ids for the logs, the probes answered early, the Permissions-Policy header, and a friendly page
when the database fails."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import render
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

_request_id = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


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
        # middleware has returned, and that line should carry the id too.
        _request_id.set(request.id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        return response


class ProbeMiddleware:
    """Answers the probes of a supervisor or load balancer (PROBES) with their views, before the middleware
    below it: a probe needs no session, language, CSRF check, user, nor the headers that guard a page in a
    browser (security policies, X-Frame-Options), and costs only its view. Placed after RequestIdMiddleware,
    so a probe's log line and answer still carry its request id."""

    PROBES = frozenset({"/healthz", "/readyz"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in self.PROBES:
            try:
                match = resolve(request.path_info)
            except Resolver404:  # a probe this site does not route: the usual 404
                return self.get_response(request)
            response = match.func(request, *match.args, **match.kwargs)
            if not response.streaming and not response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))  # as CommonMiddleware would
            return response
        return self.get_response(request)


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


def service_unavailable(request, template="errors/503.html", context=None):
    """ "Please try again" with 503 and Retry-After; a form page passes its own template, to keep what was typed."""
    response = render(request, template, context, status=503)
    response["Retry-After"] = "30"
    return response
