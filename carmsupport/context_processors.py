"""Values every page template needs."""

from django.urls import translate_url

from .bilingual import ENDONYMS, current_language, other_language


def language_toggle(request):
    """The same page in the other language: its exact counterpart, query kept.

    Each address is made of words of its language (/en/contact/, /fr/nous-joindre/), so the
    counterpart is the same page, found from the address, named in the other language;
    toggling twice gives back the exact address. A page whose words stand for content
    (the help tool's answers) names its counterpart itself, as `request.other_language_url`.
    A page outside /en/ and /fr/, or an unknown address, leads to the other language's home page.
    """
    current = current_language()
    other = other_language(current)
    url = getattr(request, "other_language_url", None)
    if url is None:
        path = request.get_full_path()
        translated = translate_url(path, other) if path.startswith(f"/{current}/") else path
        url = translated if translated != path else f"/{other}/"
    return {"other_language": {"code": other, "name": ENDONYMS[other], "url": url}}
