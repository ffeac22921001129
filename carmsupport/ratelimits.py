"""Limits on how often one client address may send a form, with a page that says when to try again."""

import hashlib
import ipaddress
import logging
import math
import re
import time
import zlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.shortcuts import render
from redis.exceptions import RedisError

from . import counters
from .bilingual import LANGUAGE_SWITCH

logger = logging.getLogger(__name__)
# While the counters are unavailable, one warning a minute at most.
WARN_EVERY_SECONDS = 60
# A rate such as "10/h": that many POSTs in a period of seconds (the default), minutes, hours or days
# ("10/5m": 5 minutes).
RATE = re.compile(r"^(\d+)/(\d*)([smhd]?)$", re.IGNORECASE)
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A counter outlives its window by this much, so that it is never read after deletion.
COUNTER_GRACE_SECONDS = 5


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXIES proxies, the address the farthest
    trusted proxy received the request from, in X-Forwarded-For. Each proxy appends the address it
    received from, so with N proxies that is the N-th entry from the right; entries further left
    were written by the client and are not believed. A missing or malformed header falls back to
    REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(chain) >= proxies:
            try:
                return str(ipaddress.ip_address(chain[-proxies]))
            except ValueError:
                pass
    return remote


def limit_posts(group, keep_form=False):
    """Refuse a client's POSTs to the view beyond settings.RATE_LIMITS[group], with 429.

    With `keep_form`, the view is called anyway with `request.retry_after` (seconds) set, so
    that it shows the form again with what was typed instead of sending it. A form sent only
    to see it in the other language sends nothing and is not counted.
    """

    def decorator(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            if request.method == "POST" and LANGUAGE_SWITCH not in request.POST:
                usage = _usage(request, group)
                if usage and usage["should_limit"]:
                    if keep_form:
                        request.retry_after = max(int(usage["time_left"]), 1)
                    else:
                        return too_many_requests(request, usage["time_left"])
            return view(request, *args, **kwargs)

        return limited

    return decorator


def _usage(request, group):
    """The client's count for the group, raised by one, whether it is over the limit and the seconds
    left in its window; None, and the post let through, while the counters' store (Redis or the
    cache table) cannot be reached.

    Each client's windows are the group's period long and start at an offset of its own, so that
    the counts of all clients do not restart at one moment. The limits fail open: a cache outage
    must not cost a client their request. They hold back floods, and for the length of an outage
    they do not; the caps that protect strangers' mailboxes (cases.outbox.mailboxes) live in the
    database and still hold. The outage is logged as a warning at most once a minute per process.
    """
    if not settings.RATELIMIT_ENABLE:
        return None
    limit, period = rate_of(settings.RATE_LIMITS[group])
    address = client_address(request)
    now = int(time.time())
    window_end = now - now % period + zlib.crc32(address.encode()) % period
    if window_end <= now:
        window_end += period
    key = "rl:" + hashlib.sha256(f"{group}|{limit}/{period}|{address}|{window_end}".encode()).hexdigest()
    try:
        count = counters.count(caches[settings.RATELIMIT_USE_CACHE], key, window_end + COUNTER_GRACE_SECONDS)
    except (RedisError, DatabaseError, OSError) as error:
        _warn_unavailable(error)
        return None
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": window_end - now}


def rate_of(rate: str) -> tuple[int, int]:
    """A rate such as "10/h" or "10/5m" as the count and the period in seconds: (10, 3600), (10, 300)."""
    count, multiple, unit = RATE.match(rate).groups()
    return int(count), SECONDS[unit.lower() or "s"] * int(multiple or 1)


_last_warning = [-math.inf]


def _warn_unavailable(error):
    now = time.monotonic()
    if now - _last_warning[0] >= WARN_EVERY_SECONDS:
        _last_warning[0] = now
        logger.warning("Rate limits not applied, their counters are unavailable: %s", type(error).__name__)


def shown_as_typed(request) -> bool:
    """Whether a form's POST is to be shown again as typed, not acted on: the language toggle sent it
    (to see the form in the other language), or the rate limit refused it (`limit_posts` with keep_form)."""
    return request.method == "POST" and (LANGUAGE_SWITCH in request.POST or hasattr(request, "retry_after"))


def typed(data) -> dict:
    """What the client typed in a form, to show again: every field but the CSRF token and the toggle."""
    return {name: value for name, value in data.items() if name not in {"csrfmiddlewaretoken", LANGUAGE_SWITCH}}


def form_as_typed(request, template, context_of):
    """The form page again with what was typed, when its POST is only to be shown again (shown_as_typed):
    as a 429 saying when to try again when the rate limit refused it, else as the page in the language
    it was toggled to. None for a POST to act on.

    `context_of(typed)` gives the page's context for what was typed (`typed`). Files are never kept:
    `files_dropped` says whether any were chosen, to be chosen again.
    """
    if not shown_as_typed(request):
        return None
    context = {"files_dropped": bool(request.FILES), **context_of(typed(request.POST))}
    if hasattr(request, "retry_after"):
        return too_many_requests(request, request.retry_after, template, context)
    return render(request, template, context)


def too_many_requests(request, seconds_left, template="errors/429.html", context=None):
    """The page that says when to try again, with status 429 and Retry-After."""
    seconds = max(int(seconds_left), 1)
    context = {**(context or {}), "retry_minutes": math.ceil(seconds / 60)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response
