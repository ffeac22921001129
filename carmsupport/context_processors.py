"""Values every page template needs."""

from .bilingual import ENDONYMS, current_language, other_language


def language_toggle(request):
    """The same page in the other language: the address with its other prefix, query kept.

    Both languages share every path but the prefix, so toggling twice gives back the
    exact address. A page outside /en/ and /fr/ (an unknown address) leads to the
    other language's home page.
    """
    current = current_language()
    other = other_language(current)
    path = request.get_full_path()
    prefix = f"/{current}/"
    url = f"/{other}/{path[len(prefix) :]}" if path.startswith(prefix) else f"/{other}/"
    return {"other_language": {"code": other, "name": ENDONYMS[other], "url": url}}
