"""The texts of a help tree's draft changed in one language and not in the other since its last release:
"French not updated since the English changed".

Staff publishing the draft see them listed and tick that they checked each one (triage.release_views);
`manage.py validate_trees` reports them too. Nodes are matched by id, and choices by their question and
slug, as the comparison of releases does (triage.comparison).
"""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from carmsupport.bilingual import LANGUAGE_CODES, LANGUAGES, current_language

from .models import Choice, Node, Tree
from .releases import node_heading


@dataclass(frozen=True)
class Lag:
    """One text changed in `changed` and left as it was in `behind`."""

    where: str  # the node's heading, or the choice's label, in the active language
    field: str  # the text's name in the snapshot, without its language: "text", "label"…
    changed: str
    behind: str

    def __str__(self):
        return _("%(where)s, %(field)s: %(behind)s not updated since the %(changed)s changed") % {
            "where": self.where,
            "field": self.field,
            "behind": LANGUAGES[self.behind],
            "changed": LANGUAGES[self.changed],
        }


def _text_names(entry: dict) -> list[str]:
    """The texts `entry` has in every language: "text" for text_en and text_fr."""
    first, *others = LANGUAGE_CODES
    return [
        key[: -len(first) - 1]
        for key in entry
        if key.endswith(f"_{first}") and all(f"{key[: -len(first) - 1]}_{code}" in entry for code in others)
    ]


def _field_name(model, name: str) -> str:
    """The text's name as staff read it in the admin, without its language: "question text"."""
    try:
        verbose = str(model._meta.get_field(f"{name}_{LANGUAGE_CODES[0]}").verbose_name)
    except FieldDoesNotExist:
        return name
    return verbose.rsplit(" (", 1)[0]


def _lags(where: str, model, old: dict, new: dict) -> list[Lag]:
    found = []
    for name in _text_names(new):
        before = {code: old.get(f"{name}_{code}") or "" for code in LANGUAGE_CODES}
        changed = [code for code in LANGUAGE_CODES if before[code] != (new.get(f"{name}_{code}") or "")]
        if len(changed) == 1:
            (moved,) = changed
            field = _field_name(model, name)
            found += [Lag(where, field, moved, code) for code in LANGUAGE_CODES if code != moved]
    return found


def lagging_texts(old: dict | None, new: dict) -> list[Lag]:
    """The texts of snapshot `new` changed in one language only since snapshot `old` (None: nothing
    published yet, so nothing lags)."""
    if old is None:
        return []
    language = current_language()
    found = _lags(_("the tree"), Tree, old.get("tree", {}), new.get("tree", {}))
    old_nodes = {node["id"]: node for node in old.get("nodes", [])}
    for node in new.get("nodes", []):
        before = old_nodes.get(node["id"])
        if before is None:
            continue
        heading = node_heading(node, language) or f"#{node['id']}"
        found += _lags(heading, Node, before, node)
        old_choices = {choice["slug"]: choice for choice in before.get("choices", [])}
        for choice in node.get("choices", []):
            if choice["slug"] in old_choices:
                label = choice.get(f"label_{language}") or choice["slug"]
                found += _lags(f"{heading} → {label}", Choice, old_choices[choice["slug"]], choice)
    return found
