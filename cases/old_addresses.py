"""French addresses in the English words they had before there were French ones, moved for good.

Links in emails already sent and bookmarks name /fr/contact/, /fr/status/,
/fr/conversation/open/<token>/, /fr/help/carm/questions/importer/no/ and so on: each answers
301 with its French counterpart (/fr/nous-joindre/, /fr/etat-demande/,
/fr/conversation/ouvrir/<token>/, /fr/aide/gcra/questions/importateur/non/), tokens and query
kept. The pattern matches in French only, after every French address: in English, and for an
address that was never a page, nothing changes.
"""

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.functional import lazy

from carmsupport.bilingual import current_language
from triage.selectors import answer_slugs, answers_path, published_tree

from .satisfaction.views import answer_word

# The first words of the English addresses (as carmsupport.urls sends addresses without a language).
OLD_WORDS = r"^(?P<path>(?:help|contact|status|conversation|resolved)/.*)$"
NEVER = r"^(?!)$"

PATTERN = lazy(lambda: OLD_WORDS if current_language() == "fr" else NEVER, str)()


def old_french_address(request, path):
    """The French page an old French address stood for, named in French words; 404 when there is none."""
    with translation.override("en"):
        try:
            match = resolve(f"/en/{path}")
        except Resolver404:
            raise Http404("No page here.") from None
    if match.url_name == "old_french_address":
        raise Http404("No page here.")
    url = reverse(match.view_name, args=match.args, kwargs=_in_french(match.namespace, match.url_name, match.kwargs))
    if url == request.path:
        raise Http404("No page here.")
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return HttpResponsePermanentRedirect(url + query)


def _in_french(namespace, url_name, kwargs):
    """The address's values as the French address names them: the help tool's and its answers' French words,
    the satisfaction answer's; the others (tokens, numbers) as they are."""
    kwargs = dict(kwargs)
    if namespace == "cases" and url_name == "resolved_recorded" and kwargs["answer"] in ("yes", "no"):
        kwargs["answer"] = answer_word(kwargs["answer"])
    if namespace == "triage" and "tree_slug" in kwargs:
        tree = published_tree(kwargs["tree_slug"])
        if tree is not None:
            kwargs["tree_slug"] = tree.address
            words = answer_slugs(kwargs.get("answers", ""))
            if "answers" in kwargs and words is not None:
                keys = tree.graph.keys(tree.start_id, words)
                kwargs["answers"] = answers_path(tree.graph.addresses(tree.start_id, keys))
    return kwargs
