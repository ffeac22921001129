"""The slugs that stand for a tree's answers in its French addresses, made from the French labels."""

import re

from django.utils.text import slugify

MAX_LENGTH = 60
# Words a shortened slug does not end on: "…-votre-compte-d" reads better as "…-votre-compte".
TRAILING_WORDS = {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "un", "une"}


def french_slug(label: str, taken=(), fallback: str = "choix") -> str:
    """The French label as an address word: ASCII, lower case, words cut whole, unique among `taken`.

    french_slug("Courtier en douane") == "courtier-en-douane"; french_slug("Non", {"non"}) == "non-2".
    """
    base = slugify(re.sub(r"['’]", " ", label))
    if len(base) > MAX_LENGTH:
        words = base[: MAX_LENGTH + 1].split("-")[:-1]
        while len(words) > 1 and words[-1] in TRAILING_WORDS:
            words.pop()
        base = "-".join(words)
    base = base.strip("-") or fallback
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = f"{base[: MAX_LENGTH - len(suffix)]}{suffix}", number + 1
    return slug
