"""Content in English and French: two columns for each field, read in the language of the page.

A model declares both columns of a field with `bilingual` and reads them through one
`Translated` descriptor, the same for every model:

    title_en, title_fr = bilingual(models.CharField, _("title"), max_length=200)
    title = Translated()

On a French page `tree.title` is `tree.title_fr`; on an English one, `tree.title_en`. Plain data
with the same columns (a help tree's snapshot) is read the same way, by `in_language`.
"""

from collections.abc import Mapping

from django.conf import settings
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import pgettext_lazy

# As each field's name shows them: "title (English)", « titre (anglais) ».
LANGUAGES = {"en": pgettext_lazy("in a field name", "English"), "fr": pgettext_lazy("in a field name", "French")}
LANGUAGE_CODES = tuple(LANGUAGES)
# Each language's name written in that language, as the language toggle shows it.
ENDONYMS = {"en": "English", "fr": "Français"}
# Sent by a form's language toggle: show the same form, as typed, in the other language.
LANGUAGE_SWITCH = "language_switch"


def current_language() -> str:
    """The active language as "en" or "fr" ("fr-ca" counts as French)."""
    code = (translation.get_language() or settings.LANGUAGE_CODE)[:2].lower()
    return code if code in LANGUAGES else LANGUAGE_CODES[0]


def other_language(code: str) -> str:
    return next(other for other in LANGUAGE_CODES if other != code)


def in_language(values, name: str, language: str | None = None) -> str:
    """The text of field `name` in `language` (the active one when None), or the English one when that is empty.

    `values` holds the columns: an object (a model instance) or a mapping (a snapshot's node, a choice).
    in_language({"title_en": "Help", "title_fr": ""}, "title", "fr") == "Help"; "" when neither has text.
    """
    code = current_language() if language is None else language
    if isinstance(values, Mapping):
        return values.get(f"{name}_{code}") or values.get(f"{name}_en") or ""
    return getattr(values, f"{name}_{code}", "") or getattr(values, f"{name}_en", "") or ""


def columns(name: str) -> tuple[str, ...]:
    """The columns of a bilingual field: columns("title") == ("title_en", "title_fr")."""
    return tuple(f"{name}_{code}" for code in LANGUAGE_CODES)


def bilingual(field_class, verbose_name, **options):
    """One field of each language, named by the caller: `text_en, text_fr = bilingual(...)`."""
    return tuple(
        field_class(format_lazy("{} ({})", verbose_name, language), **options) for language in LANGUAGES.values()
    )


class Translated:
    """The value of a bilingual field in the active language.

    An empty French value shows the English one rather than nothing; the help trees'
    checks keep published content from having any (see triage.integrity).
    """

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return in_language(instance, self.name)


def missing_languages(values: dict, name: str) -> list[str]:
    """The languages whose column is empty when another has text: ["fr"] for {"title_en": "A", "title_fr": ""}."""
    present = {code: bool(str(values.get(f"{name}_{code}") or "").strip()) for code in LANGUAGE_CODES}
    if not any(present.values()):
        return []
    return [code for code, has_text in present.items() if not has_text]
