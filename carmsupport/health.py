"""Liveness (/healthz) and readiness (/readyz) for the process supervisor and the proxy in front.

/healthz answers 200 while the process serves requests and touches nothing else. /readyz checks the
database, the shared cache and the attachments' storage, each within READINESS_TIMEOUT_SECONDS, and answers
503 when the database or the storage does not answer, or while gunicorn drains this instance before a
graceful stop (the mark deploy/gunicorn.conf.py makes on SIGTERM, at the path it puts in
DRAINING_FILE_VARIABLE). The shared cache is named down but keeps the instance ready: it holds only the
rate limits' counters, which fail open, so the portal serves without it; and as every instance shares it,
failing them all would send the proxy nowhere. The body names each check with ok or down, nothing more: no
error text, which could hold an address or a secret.
"""

import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from math import ceil
from time import monotonic

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

# The environment variable gunicorn's master sets, before forking, to the path of its draining mark.
DRAINING_FILE_VARIABLE = "CARMSUPPORT_DRAINING_FILE"
# The object whose presence in the attachments' storage shows it answers; made by the first check.
STORAGE_PROBE = "readiness-probe"

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness: 200 while the process answers requests. It touches neither the database nor the cache,
    so that a blink of either never makes a supervisor restart processes that are healthy."""
    return HttpResponse("ok\n", content_type="text/plain")


def check_database():
    """SELECT 1 on a connection of its own, opened with a connect time-out (PostgreSQL), then closed."""
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    if connection.vendor == "postgresql":
        options = {**connection.settings_dict.get("OPTIONS", {}), "connect_timeout": ceil(settings.READINESS_TIMEOUT)}
        connection.settings_dict = {**connection.settings_dict, "OPTIONS": options}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connection.close()


def check_cache():
    """A value written to the shared cache (Redis in production) and read back."""
    cache = caches["shared"]
    value = uuid.uuid4().hex
    cache.set("readiness", value, timeout=30)
    return cache.get("readiness") == value


def check_storage():
    """The probe object is in the attachments' storage (one HEAD request on S3, a stat on a folder); the
    first check writes it."""
    storage = storages["attachments"]
    return storage.exists(STORAGE_PROBE) or storage.save(STORAGE_PROBE, ContentFile(b"")) == STORAGE_PROBE


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}
# What the instance cannot serve without; the others are reported only.
REQUIRED = ("database", "storage")

# One thread per check: a dependency that hangs holds its own thread only, and the checks queued behind it
# are cancelled at their time-out, so that a hang never piles up threads or connections.
_threads = {name: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"readyz-{name}") for name in CHECKS}


def draining() -> bool:
    """Whether gunicorn is draining this instance before stopping it (deploy/gunicorn.conf.py)."""
    path = os.environ.get(DRAINING_FILE_VARIABLE)
    return bool(path) and os.path.exists(path)


def readiness() -> dict[str, bool]:
    """Each check's name and whether it answered in time, run side by side within READINESS_TIMEOUT."""
    deadline = monotonic() + settings.READINESS_TIMEOUT
    running = {name: _threads[name].submit(CHECKS[name]) for name in CHECKS}
    results = {}
    for name, future in running.items():
        try:
            results[name] = bool(future.result(timeout=max(0, deadline - monotonic())))
        except FutureTimeoutError:
            future.cancel()
            results[name] = False
        except Exception:  # any failure is "down"; its text may hold a secret, so it is not logged
            results[name] = False
        if not results[name]:
            logger.warning("Readiness check failed: %s", name)
    return results


@never_cache
def readyz(request):
    """Readiness: 200 when the database and the storage answer, 503 when one does not or while the instance
    drains; the cache is named, ok or down, and needed by nothing."""
    if draining():
        return HttpResponse("draining\n", status=503, content_type="text/plain")
    results = readiness()
    body = "".join(f"{name} {'ok' if up else 'down'}\n" for name, up in results.items())
    ready = all(results[name] for name in REQUIRED)
    return HttpResponse(body, status=200 if ready else 503, content_type="text/plain")
