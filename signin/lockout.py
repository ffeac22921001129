"""The lockout after repeated failed sign-ins: who is counted, and the page a locked sign-in gets."""

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import admin
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from carmsupport.ratelimits import too_many_requests


def client_address(request):
    """The client's address, found as the rate limits find it (RATELIMIT_IP_META_KEY: a META key or a function)."""
    key = settings.RATELIMIT_IP_META_KEY or "REMOTE_ADDR"
    if callable(key):
        return key(request)
    if "." in key:
        return import_string(key)(request)
    return request.META.get(key)


def locked_out(request, original_response=None, credentials=None):
    """The admin's page for a username locked at this address: when to try again, with 429 and Retry-After."""
    context = {**admin.site.each_context(request), "title": _("Sign-in locked")}
    return too_many_requests(request, get_cool_off(request).total_seconds(), "signin/locked_out.html", context)
