"""What changed between two snapshots of a help tree (see triage.releases): for staff reviewing a release.

    changes = compare(release.snapshot, snapshot(tree))
    changes.summary().sentence   # "2 questions reworded, 1 outcome added, 1 choice removed"

Nodes are matched by id, and choices by their question's id and their slug. Each change says
what it touched (the tree, a question, an outcome or a choice), how ("added", "removed",
"reworded": only texts changed, "changed": something else too, such as where a choice leads),
and, when reworded or changed, each field that differs, with a word-level diff as safe HTML:
every text escaped, insertions in <ins>, deletions in <del>, nothing else.

Texts are compared per language. Sentences made here (summaries, field notes, the labels of
nodes a choice leads to) are in the language active when `compare` or `summary` is called;
each change's own label is given in both languages.
"""

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, override, pgettext

from carmsupport.bilingual import LANGUAGE_CODES, current_language

ADDED, REMOVED, REWORDED, CHANGED = "added", "removed", "reworded", "changed"
KINDS = (ADDED, REMOVED, REWORDED, CHANGED)
TREE, QUESTION, OUTCOME, CHOICE = "tree", "question", "outcome", "choice"
WHATS = (TREE, QUESTION, OUTCOME, CHOICE)

# The texts of each thing, each with a column per language, in the order changes list them.
TEXTS = {
    TREE: ["title", "intro"],
    QUESTION: ["text", "hint"],
    OUTCOME: ["title", "guidance"],
    CHOICE: ["label"],
}
# Its other fields: a change to one of them makes the change "changed" rather than "reworded".
SETTINGS = {
    TREE: ["slug", "start"],
    QUESTION: ["name"],
    OUTCOME: ["name", "contact_allowed", "topic", "response_class"],
    CHOICE: ["target"],
}

# What each field is called on the pages that list changes.
FIELD_LABELS = {
    "title": gettext_lazy("title"),
    "intro": gettext_lazy("introduction"),
    "text": gettext_lazy("question"),
    "hint": gettext_lazy("hint"),
    "guidance": gettext_lazy("guidance"),
    "label": gettext_lazy("label"),
    "slug": gettext_lazy("slug"),
    "start": gettext_lazy("first question"),
    "name": gettext_lazy("internal name"),
    "contact_allowed": gettext_lazy("client may contact the helpdesk from here"),
    "topic": gettext_lazy("case topic"),
    "response_class": gettext_lazy("response class"),
    "target": gettext_lazy("leads to"),
    "order": gettext_lazy("order of the choices"),
}

# Words, runs of whitespace and runs of punctuation: the units a text diff adds or takes away.
TOKENS = re.compile(r"\s+|\w+|[^\w\s]+")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: `language` is "en" or "fr" for a text, None otherwise.

    `before` and `after` are the values as the snapshots hold them (a node id for where a
    choice leads or where the tree starts). `diff_html` is safe HTML; `note` says in words
    what a change to a field other than a text means ("" for texts).
    """

    field: str
    language: str | None
    before: object
    after: object
    diff_html: SafeString
    note: str = ""

    @property
    def label(self) -> str:
        """What the field is called, in the active language."""
        return str(FIELD_LABELS.get(self.field, self.field))


@dataclass(frozen=True)
class Change:
    """One thing added, removed, reworded or changed. `key`: the node id, (question id, slug) or None."""

    kind: str
    what: str
    key: object
    label_en: str
    label_fr: str
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The label in the active language."""
        return getattr(self, f"label_{current_language()}") or self.label_en

    def __str__(self):
        """One line for staff, in the active language: "Question reworded: Are you a non-resident business?"."""
        return _headline(self.what, self.kind) % {"label": self.label}


@dataclass(frozen=True)
class Summary:
    """How many changes of each kind (every kind present, zero or not) and the sentence saying so."""

    counts: dict
    sentence: str

    def __str__(self):
        return self.sentence


@dataclass
class ReleaseDiff:
    changes: list[Change]

    def __bool__(self):
        return bool(self.changes)

    def __iter__(self):
        return iter(self.changes)

    def __len__(self):
        return len(self.changes)

    def tally(self) -> dict:
        """{(what, kind): count} for the pairs that occur."""
        counts = {}
        for change in self.changes:
            counts[change.what, change.kind] = counts.get((change.what, change.kind), 0) + 1
        return counts

    def summary(self) -> Summary:
        counts = dict.fromkeys(KINDS, 0)
        for change in self.changes:
            counts[change.kind] += 1
        tally = self.tally()
        pieces = [_piece(what, kind, tally[what, kind]) for what in WHATS for kind in KINDS if (what, kind) in tally]
        sentence = ", ".join(pieces) if pieces else _("no changes")
        return Summary(counts=counts, sentence=sentence)


def _headline(what, kind):
    """The sentence heading one change; one message per pair, so that each translates whole."""
    headlines = {
        (TREE, REWORDED): lambda: _("Tree title or introduction reworded: %(label)s"),
        (TREE, CHANGED): lambda: _("Tree changed: %(label)s"),
        (QUESTION, ADDED): lambda: _("Question added: %(label)s"),
        (QUESTION, REMOVED): lambda: _("Question removed: %(label)s"),
        (QUESTION, REWORDED): lambda: _("Question reworded: %(label)s"),
        (QUESTION, CHANGED): lambda: _("Question changed: %(label)s"),
        (OUTCOME, ADDED): lambda: _("Outcome added: %(label)s"),
        (OUTCOME, REMOVED): lambda: _("Outcome removed: %(label)s"),
        (OUTCOME, REWORDED): lambda: _("Outcome reworded: %(label)s"),
        (OUTCOME, CHANGED): lambda: _("Outcome changed: %(label)s"),
        (CHOICE, ADDED): lambda: _("Choice added: %(label)s"),
        (CHOICE, REMOVED): lambda: _("Choice removed: %(label)s"),
        (CHOICE, REWORDED): lambda: _("Choice reworded: %(label)s"),
        (CHOICE, CHANGED): lambda: _("Choice changed: %(label)s"),
    }
    return headlines[what, kind]()


def _piece(what, kind, count):
    """One part of a summary: "2 questions reworded". One message per pair, so that each translates whole."""
    n = {"count": count}
    if what == TREE:
        if kind == REWORDED:
            return pgettext("summary of changes", "tree title or introduction reworded")
        return pgettext("summary of changes", "tree changed")
    pieces = {
        (QUESTION, ADDED): lambda: ngettext("%(count)d question added", "%(count)d questions added", count),
        (QUESTION, REMOVED): lambda: ngettext("%(count)d question removed", "%(count)d questions removed", count),
        (QUESTION, REWORDED): lambda: ngettext("%(count)d question reworded", "%(count)d questions reworded", count),
        (QUESTION, CHANGED): lambda: ngettext("%(count)d question changed", "%(count)d questions changed", count),
        (OUTCOME, ADDED): lambda: ngettext("%(count)d outcome added", "%(count)d outcomes added", count),
        (OUTCOME, REMOVED): lambda: ngettext("%(count)d outcome removed", "%(count)d outcomes removed", count),
        (OUTCOME, REWORDED): lambda: ngettext("%(count)d outcome reworded", "%(count)d outcomes reworded", count),
        (OUTCOME, CHANGED): lambda: ngettext("%(count)d outcome changed", "%(count)d outcomes changed", count),
        (CHOICE, ADDED): lambda: ngettext("%(count)d choice added", "%(count)d choices added", count),
        (CHOICE, REMOVED): lambda: ngettext("%(count)d choice removed", "%(count)d choices removed", count),
        (CHOICE, REWORDED): lambda: ngettext("%(count)d choice reworded", "%(count)d choices reworded", count),
        (CHOICE, CHANGED): lambda: ngettext("%(count)d choice changed", "%(count)d choices changed", count),
    }
    return pieces[what, kind]() % n


def text_diff_html(before: str, after: str) -> SafeString:
    """A word-level diff of two texts as safe HTML: all text escaped, <ins> and <del> the only markup."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    parts = []
    for op, i1, i2, j1, j2 in _merged(SequenceMatcher(None, old, new, autojunk=False).get_opcodes(), old):
        if op == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        deleted, inserted = "".join(old[i1:i2]), "".join(new[j1:j2])
        if deleted:
            parts.append(format_html("<del>{}</del>", deleted))
        if inserted:
            parts.append(format_html("<ins>{}</ins>", inserted))
    return mark_safe("".join(parts))  # noqa: S308  every part is escaped above


def _merged(opcodes, old):
    """The opcodes, with changes separated by nothing but whitespace made one: "<del>are you</del><ins>is
    asking</ins>" reads better than a change to each word."""
    merged = []
    for op, i1, i2, j1, j2 in opcodes:
        if op != "equal" and len(merged) >= 2 and merged[-2][0] != "equal":
            _op, e1, e2, _f1, _f2 = merged[-1]
            if _op == "equal" and not "".join(old[e1:e2]).strip():
                merged.pop()
        if op != "equal" and merged and merged[-1][0] != "equal":
            _op, i1, _i2, j1, _j2 = merged.pop()
            op = "replace"
        merged.append((op, i1, i2, j1, j2))
    return merged


def _swap_html(before: str, after: str) -> SafeString:
    """A value replaced whole: the old one deleted, the new one inserted."""
    parts = []
    if before:
        parts.append(format_html("<del>{}</del>", before))
    if after:
        parts.append(format_html("<ins>{}</ins>", after))
    return mark_safe(" ".join(parts))  # noqa: S308  every part is escaped by format_html


def _key(node_id):
    """Node ids in order: numbers first, then any text ids, so mixed documents still sort."""
    return (isinstance(node_id, str), node_id if not isinstance(node_id, str) else 0, str(node_id))


def _labels(node) -> dict:
    """A node's label in each language: a question's text or an outcome's title, else its name or id."""
    name = "text" if node["kind"] == QUESTION else "title"
    english = node.get(f"{name}_en") or node.get("name") or f"#{node['id']}"
    return {code: node.get(f"{name}_{code}") or english for code in LANGUAGE_CODES}


def _choice_labels(choice, question) -> dict:
    question_labels = _labels(question)
    labels = {}
    for code in LANGUAGE_CODES:
        with override(code):
            labels[code] = pgettext("a choice in a list of changes", "%(label)s (of %(question)s)") % {
                "label": choice.get(f"label_{code}") or choice.get("label_en", ""),
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
            return FieldChange(name, None, before, after, _swap_html(*shown), note)
        if name == "contact_allowed":
            if after:
                note = _("clients may now contact the helpdesk from here")
            else:
                note = _("clients may no longer contact the helpdesk from here")
            return FieldChange(name, None, before, after, _swap_html(_yes_no(before), _yes_no(after)), note)
        shown = ("" if before is None else str(before)), ("" if after is None else str(after))
        notes = {
            "topic": _("case topic “%(after)s” instead of “%(before)s”"),
            "response_class": _("response class “%(after)s” instead of “%(before)s”"),
            "name": _("internal name “%(after)s” instead of “%(before)s”"),
            "slug": _("slug “%(after)s” instead of “%(before)s”"),
        }
        note = notes[name] % {"before": shown[0] or _("none"), "after": shown[1] or _("none")}
        return FieldChange(name, None, before, after, _swap_html(*shown), note)

    def compare_tree(self, old, new):
        if old is None:
            return
        old_head, new_head = old.get("tree", {}), new.get("tree", {})
        texts = list(self.text_fields(TREE, old_head, new_head))
        settings = list(self.setting_fields(TREE, old_head, new_head))
        if texts or settings:
            labels = {code: new_head.get(f"title_{code}") or new_head.get("title_en", "") for code in LANGUAGE_CODES}
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
            return ", ".join(choice.get(f"label_{self.language}") or choice.get("label_en", "") for choice in choices)

        return FieldChange(
            "order",
            None,
            [c["slug"] for c in before],
            [c["slug"] for c in after],
            _swap_html(shown(before), shown(after)),
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
    from .releases import snapshot

    release = tree.current_release
    return compare(release.snapshot if release else None, snapshot(tree))
