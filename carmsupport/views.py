"""Friendly error pages in the site's own layout, and the language of the home page."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from .bilingual import LANGUAGE_CODES


@require_safe
def choose_language(request):
    """The home page in the language the browser prefers: French when it prefers French, else English."""
    preferred = translation.get_language_from_request(request)[:2]
    language = preferred if preferred in LANGUAGE_CODES else LANGUAGE_CODES[0]
    response = HttpResponseRedirect(f"/{language}/")
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def english_page(request, path):
    """An address without a language, from before there were two: the same page in English."""
    return HttpResponsePermanentRedirect(f"/en{request.get_full_path()}")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def page_not_found(request, exception=None):
    """The 404 page in the address's language; outside /en/ and /fr/ (and the staff pages), one page in
    both, as Canada.ca has it: the address says nothing of the reader's language."""
    if translation.get_language_from_path(request.path_info) is None and not request.path_info.startswith("/admin/"):
        return render(request, "errors/404_both_languages.html", status=404)
    return render(request, "errors/404.html", status=404)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)


def server_error(request):
    """The 500 page; or "please try again" with 503 when the database failed where the view could not
    tell (e.g. saving the session after the view). No request context for the 500 page: the failure
    may lie in what a context processor reads."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("errors/500.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
