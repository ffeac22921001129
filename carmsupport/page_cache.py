"""Pages that read the same for every visitor, rendered once and kept in this process.

A page is kept under its address and what its content depends on (a tree's revision, the
language), so an edit is seen on the next request. Where a page must hold a visitor's own
value (the CSRF token, a form's one-time token) it is rendered with a placeholder, filled in
on each request.
"""

import hashlib

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

# Stands in a kept page for the visitor's CSRF token (see templates/includes/csrf.html).
CSRF_PLACEHOLDER = "csrf-token-of-the-visitor-5b1e"
TIMEOUT = 60 * 60


def kept_page(request, revision, render, fills=None):
    """The page at this address for this revision and language: rendered by `render()` when not kept.

    `fills` maps other placeholders to a function giving the visitor's value.
    """
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    key = f"page:{revision}:{get_language()}:{address}"
    page = cache.get(key)
    if page is None:
        page = render().content.decode()
        cache.set(key, page, timeout=TIMEOUT)
    if CSRF_PLACEHOLDER in page:
        page = page.replace(CSRF_PLACEHOLDER, get_token(request))
    for placeholder, value in (fills or {}).items():
        page = page.replace(placeholder, value())
    return HttpResponse(page)
