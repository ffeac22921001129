"""Limits on how often one client address may send a form, with a page that says when to try again."""

import ipaddress
import math
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage

from .bilingual import LANGUAGE_SWITCH


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
                usage = get_usage(
                    request, group=group, key="ip", rate=settings.RATE_LIMITS[group], method="POST", increment=True
                )
                if usage and usage["should_limit"]:
                    if keep_form:
                        request.retry_after = max(int(usage["time_left"]), 1)
                    else:
                        return too_many_requests(request, usage["time_left"])
            return view(request, *args, **kwargs)

        return limited

    return decorator


def too_many_requests(request, seconds_left, template="errors/429.html", context=None):
    """The page that says when to try again, with status 429 and Retry-After."""
    seconds = max(int(seconds_left), 1)
    context = {**(context or {}), "retry_minutes": math.ceil(seconds / 60)}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response
