"""Comparing two snapshots of a help tree (see triage.releases), node by node and choice by choice: the
changes triage.diff describes, for staff reviewing a release or an import.

    changes = compare(release.snapshot, snapshot(tree))

Nodes are matched by id, and choices by their question's id and their slug.
"""

from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from carmsupport.bilingual import LANGUAGE_CODES, current_language, in_language

from .diff import (
    ADDED,
    CHANGED,
    CHOICE,
    QUESTION,
    REMOVED,
    REWORDED,
    SETTINGS,
    TEXTS,
    TREE,
    Change,
    FieldChange,
    ReleaseDiff,
)
from .releases import node_heading, snapshot
from .word_diff import swap_html, text_diff_html


def _key(node_id):
    """Node ids in order: numbers first, then any text ids, so mixed documents still sort."""
    return (isinstance(node_id, str), node_id if not isinstance(node_id, str) else 0, str(node_id))


def _labels(node) -> dict:
    """A node's label in each language (see releases.node_heading), else its id."""
    return {code: node_heading(node, code) or f"#{node['id']}" for code in LANGUAGE_CODES}


def _choice_labels(choice, question) -> dict:
    question_labels = _labels(question)
    labels = {}
    for code in LANGUAGE_CODES:
        with override(code):
            labels[code] = pgettext("a choice in a list of changes", "%(label)s (of %(question)s)") % {
                "label": in_language(choice, "label", code),
                "question": question_labels[code],
            }
    return labels


class _Comparison:
    def __init__(self, old, new):
        self.old_nodes = {node["id"]: node for node in (old or {}).get("nodes", [])}
        self.new_nodes = {node["id"]: node for node in new.get("nodes", [])}
        self.language = current_language()
        self.changes = []

    def node_label(self, node_id, nodes):
        node = nodes.get(node_id)
        if node is None:
            return "" if node_id is None else f"#{node_id}"
        return _labels(node)[self.language]

    def add(self, kind, what, key, labels, fields=()):
        self.changes.append(Change(kind, what, key, labels["en"], labels["fr"], list(fields)))

    def text_fields(self, what, old, new):
        for name in TEXTS[what]:
            for code in LANGUAGE_CODES:
                column = f"{name}_{code}"
                before, after = old.get(column, ""), new.get(column, "")
                if before != after:
                    yield FieldChange(name, code, before, after, text_diff_html(before, after))

    def setting_fields(self, what, old, new):
        for name in SETTINGS[what]:
            before, after = old.get(name), new.get(name)
            if name == "slug_fr":  # none in a snapshot taken before there were French slugs
                before, after = before or "", after or ""
            if before != after:
                yield self.setting_change(name, before, after)

    def setting_change(self, name, before, after):
        if name in ("target", "start"):
            shown = self.node_label(before, self.old_nodes), self.node_label(after, self.new_nodes)
            values = {"before": shown[0], "after": shown[1]}
            if name == "target":
                note = _("leads to “%(after)s” instead of “%(before)s”") % values
            else:
                note = _("starts with “%(after)s” instead of “%(before)s”") % values
            return FieldChange(name, None, before, after, swap_html(*shown), note)
        if name == "contact_allowed":
            if after:
                note = _("clients may now contact the helpdesk from here")
            else:
                note = _("clients may no longer contact the helpdesk from here")
            return FieldChange(name, None, before, after, swap_html(_yes_no(before), _yes_no(after)), note)
        shown = ("" if before is None else str(before)), ("" if after is None else str(after))
        notes = {
            "topic": _("case topic “%(after)s” instead of “%(before)s”"),
            "response_class": _("response class “%(after)s” instead of “%(before)s”"),
            "name": _("internal name “%(after)s” instead of “%(before)s”"),
            "slug": _("slug “%(after)s” instead of “%(before)s”"),
            "slug_fr": _("French slug “%(after)s” instead of “%(before)s”: the French address changes"),
        }
        note = notes[name] % {"before": shown[0] or _("none"), "after": shown[1] or _("none")}
        return FieldChange(name, None, before, after, swap_html(*shown), note)

    def compare_tree(self, old, new):
        if old is None:
            return
        old_head, new_head = old.get("tree", {}), new.get("tree", {})
        texts = list(self.text_fields(TREE, old_head, new_head))
        settings = list(self.setting_fields(TREE, old_head, new_head))
        if texts or settings:
            labels = {code: in_language(new_head, "title", code) for code in LANGUAGE_CODES}
            self.add(CHANGED if settings else REWORDED, TREE, None, labels, texts + settings)

    def compare_nodes(self):
        for node_id in sorted(self.old_nodes.keys() | self.new_nodes.keys(), key=_key):
            old, new = self.old_nodes.get(node_id), self.new_nodes.get(node_id)
            if old is not None and (new is None or new["kind"] != old["kind"]):
                self.add(REMOVED, old["kind"], node_id, _labels(old))
                self.compare_choices(old, None)
                old = None
            if new is None:
                continue
            if old is None:
                self.add(ADDED, new["kind"], node_id, _labels(new))
                self.compare_choices(None, new)
                continue
            what = new["kind"]
            texts = list(self.text_fields(what, old, new))
            settings = list(self.setting_fields(what, old, new))
            order = self.order_change(old, new) if what == QUESTION else None
            if order:
                settings.append(order)
            if texts or settings:
                self.add(CHANGED if settings else REWORDED, what, node_id, _labels(new), texts + settings)
            if what == QUESTION:
                self.compare_choices(old, new)

    def order_change(self, old, new):
        """The choices kept are in another order: clients see the answers listed differently."""
        kept = {choice["slug"] for choice in old.get("choices", [])} & {
            choice["slug"] for choice in new.get("choices", [])
        }
        before = [choice for choice in old.get("choices", []) if choice["slug"] in kept]
        after = [choice for choice in new.get("choices", []) if choice["slug"] in kept]
        if [c["slug"] for c in before] == [c["slug"] for c in after]:
            return None

        def shown(choices):
            return ", ".join(in_language(choice, "label", self.language) for choice in choices)

        return FieldChange(
            "order",
            None,
            [c["slug"] for c in before],
            [c["slug"] for c in after],
            swap_html(shown(before), shown(after)),
            _("the choices are listed in another order"),
        )

    def compare_choices(self, old, new):
        """The choices of a question, in the new order, then those taken away in their old order."""
        question = new or old
        old_choices = {choice["slug"]: choice for choice in (old or {}).get("choices", [])}
        new_choices = {choice["slug"]: choice for choice in (new or {}).get("choices", [])}
        for slug, choice in new_choices.items():
            key = (question["id"], slug)
            before = old_choices.get(slug)
            if before is None:
                self.add(ADDED, CHOICE, key, _choice_labels(choice, question))
                continue
            texts = list(self.text_fields(CHOICE, before, choice))
            settings = list(self.setting_fields(CHOICE, before, choice))
            if texts or settings:
                kind = CHANGED if settings else REWORDED
                self.add(kind, CHOICE, key, _choice_labels(choice, question), texts + settings)
        for slug, choice in old_choices.items():
            if slug not in new_choices:
                self.add(REMOVED, CHOICE, (question["id"], slug), _choice_labels(choice, old or question))


def _yes_no(value):
    return _("yes") if value else _("no")


def compare(old: dict | None, new: dict) -> ReleaseDiff:
    """The changes from snapshot `old` (None: nothing published yet) to snapshot `new`, in a stable order:
    the tree's own texts first, then node by node in order of id, each question followed by its choices
    (in their new order, then those removed). With no `old`, every node and choice is added; the tree
    itself is not listed."""
    comparison = _Comparison(old, new)
    comparison.compare_tree(old, new)
    comparison.compare_nodes()
    return ReleaseDiff(comparison.changes)


def draft_changes(tree) -> ReleaseDiff:
    """What publishing the tree's draft now would change for clients."""
    release = tree.current_release
    return compare(release.snapshot if release else None, snapshot(tree))
