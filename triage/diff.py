"""What changed between two snapshots of a help tree (see triage.releases): for staff reviewing a release.

    changes = compare(release.snapshot, snapshot(tree))   # triage.comparison finds them
    changes.summary().sentence   # "2 questions reworded, 1 outcome added, 1 choice removed"

Nodes are matched by id, and choices by their question's id and their slug. Each change says
what it touched (the tree, a question, an outcome or a choice), how ("added", "removed",
"reworded": only texts changed, "changed": something else too, such as where a choice leads),
and, when reworded or changed, each field that differs, with a word-level diff as safe HTML
(triage.word_diff): every text escaped, insertions in <ins>, deletions in <del>, nothing else.

Texts are compared per language. Sentences made here (summaries, field notes, the labels of
nodes a choice leads to) are in the language active when `compare` or `summary` is called;
each change's own label is given in both languages.
"""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from carmsupport.bilingual import in_language

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
    TREE: ["slug", "slug_fr", "start"],
    QUESTION: ["name"],
    OUTCOME: ["name", "contact_allowed", "topic", "response_class"],
    CHOICE: ["slug_fr", "target"],
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
    "slug_fr": gettext_lazy("French slug"),
    "start": gettext_lazy("first question"),
    "name": gettext_lazy("internal name"),
    "contact_allowed": gettext_lazy("client may contact the helpdesk from here"),
    "topic": gettext_lazy("case topic"),
    "response_class": gettext_lazy("response class"),
    "target": gettext_lazy("leads to"),
    "order": gettext_lazy("order of the choices"),
}


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
        return in_language(self, "label")

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
