"""What reads the same for every visitor, made once and kept in this process: pages, and a tree's drawing.

A thing is kept under what its content depends on (a tree's revision, the language, the page's
address or the drawing's source), so an edit is seen on the next request. A revision names what
is shown: a release of a help tree, which never changes, or the draft's revision, which every edit
changes (triage.selectors.release_revision, draft_revision). Where a page must hold a visitor's own
value (the CSRF token, a form's one-time token) it is rendered with a placeholder, filled in on
each request.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# Stands in a kept page for the visitor's CSRF token (see templates/includes/csrf.html).
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-5b1e"
TIMEOUT = 60 * 60


def revision_key(kind: str, revision: str, *parts: str) -> str:
    """The cache key of a kind of thing kept for a revision, in the active language: "page:release4:fr:…"."""
    return ":".join([kind, revision, get_language(), *parts])


def kept(key: str, make, timeout=TIMEOUT):
    """The value kept under the key; when there is none, make()'s, kept for `timeout` seconds.

    `timeout` may be a function of the value, for a value that must not be kept as long (a failure).
    """
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout=timeout(value) if callable(timeout) else timeout)
    return value


def kept_page(request, revision, render, fills=None):
    """The page at this address for this revision and language: rendered by `render()` when not kept.

    `fills` maps other placeholders to a function giving the visitor's value.
    """
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    page = kept(revision_key("page", revision, address), lambda: render().content.decode())
    if CSRF_PLACEHOLDER in page:
        page = page.replace(CSRF_PLACEHOLDER, get_token(request))
    for placeholder, value in (fills or {}).items():
        page = page.replace(placeholder, value())
    return HttpResponse(page)
