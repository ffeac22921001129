"""Content in English and French: two columns for each field, read in the language of the page.

A model declares both columns of a field with `bilingual` and reads them through one
`Translated` descriptor, the same for every model:

    title_en, title_fr = bilingual(models.CharField, _("title"), max_length=200)
    title = Translated()

On a French page `tree.title` is `tree.title_fr`; on an English one, `tree.title_en`.
"""

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
        return getattr(instance, f"{self.name}_{current_language()}") or getattr(instance, f"{self.name}_en")


def missing_languages(values: dict, name: str) -> list[str]:
    """The languages whose column is empty when another has text: ["fr"] for {"title_en": "A", "title_fr": ""}."""
    present = {code: bool(str(values.get(f"{name}_{code}") or "").strip()) for code in LANGUAGE_CODES}
    if not any(present.values()):
        return []
    return [code for code, has_text in present.items() if not has_text]
