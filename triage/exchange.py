"""A help tree's draft as one TOML document, to review content changes in Git and load them back.

    text = export_draft(tree)            # the draft, as triage.releases.snapshot gives it
    result = import_draft(tree, text)    # triage.exchange_import: the draft made equal to the document;
                                         # nothing published (triage.exchange_reader reads the document)

The document holds the snapshot's data, one table per node, its choices as sub-tables in order:

    format = 1

    [tree]
    slug = "carm"
    slug_fr = "gcra"
    title_en = "Get help with the CARM Client Portal"
    title_fr = "Obtenir de l'aide avec le portail client de la GCRA"
    start = 1
    intro_en = \"\"\"
    Use this interactive tool ...
    \"\"\"
    intro_fr = ...

    [[node]]
    id = 1
    kind = "question"
    name = "Please identify yourself"
    text_en = "Please identify yourself"
    text_fr = "Indiquez votre profil"
    hint_en = ""
    hint_fr = ""

    [[node.choice]]
    slug = "importer"
    slug_fr = "importateur"
    label_en = "Importer"
    label_fr = "Importateur"
    target = 2

    [[node]]
    id = 2
    kind = "outcome"
    name = ""
    title_en = ...
    title_fr = ...
    topic = "portal-access"          # left out when the outcome has none
    response_class = "standard"
    contact_allowed = true
    guidance_en = \"\"\"
    ...
    \"\"\"

Keys come in that order and nodes in order of id, so that an export changes only where the content
does. `start` and `topic` are left out when empty.

Node ids: a node whose id is the id of one of the tree's nodes updates that node. Any other id, a
whole number or a text such as "new-1", stands for a new node: it is created with an id of the
database's choosing, and choices and `start` that name the document's id lead to it
(ImportResult.ids maps one to the other; export again to see the real ids). The tree's nodes the
document leaves out are deleted, with their choices.

A document written by hand may leave out `name`, `hint_*`, `*_fr`, `topic`, `contact_allowed`
(true) and `response_class` ("standard"); unknown keys are refused, so that a misspelt one is not
silently ignored; without `slug_fr`, the English slug stands in the French addresses. An import is
refused, changing nothing, when the document is malformed, is for another tree, names a topic that
does not exist, or would break the tree in a way the draft does not already (a loop, a dead end, a
node no choice leads to): the same rule as for saves in the admin.
A text missing in one language is allowed, as in the draft; publishing checks for it.
"""

from dataclasses import dataclass, field

import tomli_w
from django.utils.translation import gettext as _

from .comparison import compare
from .diff import ReleaseDiff
from .models import Tree
from .releases import FORMAT, snapshot

# The keys of each table, in the order they are written.
TREE_KEYS = ["slug", "slug_fr", "title_en", "title_fr", "start", "intro_en", "intro_fr"]
QUESTION_KEYS = ["id", "kind", "name", "text_en", "text_fr", "hint_en", "hint_fr"]
OUTCOME_KEYS = [
    "id",
    "kind",
    "name",
    "title_en",
    "title_fr",
    "topic",
    "response_class",
    "contact_allowed",
    "guidance_en",
    "guidance_fr",
]
CHOICE_KEYS = ["slug", "slug_fr", "label_en", "label_fr", "target"]

# Not translated: the document is a data file kept in Git, and an export must not change with
# the language of whoever makes it.
HEADER = (
    '# Draft of the help tree "{slug}", from `manage.py export_tree {slug}`.\n'
    "# Load it back with `manage.py import_tree {slug} FILE` (that does not publish it).\n"
    '# A new [[node]] takes any id not used here, such as "new-1"; it gets a real id once imported.\n'
)


class DraftImportError(ValueError):
    """The document cannot replace the draft: nothing was changed. `problems` says why, one sentence each."""

    def __init__(self, problems):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = list(problems)


@dataclass
class ImportResult:
    """What an import did: the draft before and after (snapshots), and the real id of each new node."""

    before: dict
    after: dict
    ids: dict = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def diff(self) -> ReleaseDiff:
        return compare(self.before, self.after)

    @property
    def changed(self) -> bool:
        return self.before != self.after


# Writing


def _line(key, value) -> str:
    # tomli-w writes the value; multi-line strings keep guidance readable. A text with a carriage
    # return is written on one line, escaped, since tomli-w's multi-line strings would drop it.
    multiline = not (isinstance(value, str) and "\r" in value)
    return tomli_w.dumps({key: value}, multiline_strings=multiline)


def write_document(data: dict) -> str:
    """A snapshot (triage.releases.snapshot, or a release's) as the TOML document."""
    head = data["tree"]
    parts = [HEADER.format(slug=head["slug"]), "\n", _line("format", data.get("format", FORMAT)), "\n[tree]\n"]
    parts.extend(_line(key, head[key]) for key in TREE_KEYS if head.get(key) is not None)
    for node in data["nodes"]:
        keys = QUESTION_KEYS if node["kind"] == "question" else OUTCOME_KEYS
        parts.append("\n[[node]]\n")
        parts.extend(_line(key, node[key]) for key in keys if node.get(key) is not None)
        for choice in node.get("choices", []):
            parts.append("\n[[node.choice]]\n")
            parts.extend(_line(key, choice[key]) for key in CHOICE_KEYS if choice.get(key) is not None)
    return "".join(parts)


def export_draft(tree: Tree) -> str:
    """The tree's draft as the TOML document."""
    return write_document(snapshot(tree))


def part_name(node_id=None, slug=None) -> str:
    """The part of a document a problem is in, as staff read it: "The tree", "Node 3", "Node 3, choice “yes”"."""
    if node_id is None:
        return _("The tree")
    if slug is None:
        return _("Node %(id)s") % {"id": node_id}
    return _("Node %(id)s, choice “%(slug)s”") % {"id": node_id, "slug": slug}
