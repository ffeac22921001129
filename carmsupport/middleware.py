"""Request ids for the logs, the probes answered early, the Permissions-Policy header, and a friendly page
when the database fails."""

import contextlib
import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.shortcuts import render
from django.urls import Resolver404, resolve

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


class ProbeMiddleware:
    """Answers the probes of a supervisor or load balancer (PROBES) with their views, before the middleware
    below it: a probe needs no session, language, CSRF check, user, nor the headers that guard a page in a
    browser (security policies, X-Frame-Options), and costs only its view. Placed after RequestIdMiddleware
    and the metrics, so a probe's log line and answer still carry its request id, and probes are counted."""

    PROBES = frozenset({"/healthz", "/readyz"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in self.PROBES:
            try:
                match = resolve(request.path_info)
            except Resolver404:  # a probe this site does not route: the usual 404
                return self.get_response(request)
            request.resolver_match = match  # the view's name, for the metrics and the request's log line
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
    """A database that does not answer, or stays locked, gets "please try again" with 503.

    A page that only reads (GET, HEAD) is asked again first, with its broken connections closed and
    waits doubling from 0.1 s, for DATABASE_RETRY_SECONDS at most: a database that blinks (a restart,
    a failover) costs the reader a moment rather than an error page. A form sent (POST) never runs
    twice, unless its view is marked `runs_again_safely` (sending it twice does what sending it once
    does: a form token files one case, a lookup only reads); nor does a view inside a transaction that
    is still open. A view that answers its own "please try again" page marks the request with
    `database_unavailable`, so that it is run again the same way.
    """

    REREAD_METHODS = ("GET", "HEAD")
    FIRST_WAIT = 0.1

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        deadline = time.monotonic() + settings.DATABASE_RETRY_SECONDS
        wait = self.FIRST_WAIT
        while True:
            request.database_error = None
            response = self.get_response(request)
            error = request.database_error
            if error is None:
                return response
            again = _may_run_again(request) and time.monotonic() + wait <= deadline
            if not again or _in_transaction():
                logger.error("Database unavailable: %s", error)
                return response
            logger.warning("Database unavailable: %s, the page is read again in %.1f s", error, wait)
            reset_connections()
            time.sleep(wait)
            wait *= 2

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        database_unavailable(request, exception)
        return service_unavailable(request)


def runs_again_safely(view):
    """Marks a view whose POST may run again after a database error: sending it twice does what sending it
    once does (DatabaseUnavailableMiddleware)."""
    view.runs_again_safely = True
    return view


def database_unavailable(request, error: Exception) -> None:
    """Tells DatabaseUnavailableMiddleware that the database failed this request (it logs the error's class,
    and runs the view again when it may)."""
    request.database_error = type(error).__name__


def _may_run_again(request) -> bool:
    if request.method in DatabaseUnavailableMiddleware.REREAD_METHODS:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and getattr(match.func, "runs_again_safely", False)


def _in_transaction() -> bool:
    return any(each.in_atomic_block for each in connections.all(initialized_only=True))


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
