"""A help tree's draft as one TOML document, to review content changes in Git and load them back.

    text = export_draft(tree)            # the draft, as triage.releases.snapshot gives it
    result = import_draft(tree, text)    # the draft made equal to the document; nothing published

The document holds the snapshot's data, one table per node, its choices as sub-tables in order:

    format = 1

    [tree]
    slug = "carm"
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
    text_fr = "Veuillez vous identifier"
    hint_en = ""
    hint_fr = ""

    [[node.choice]]
    slug = "importer"
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
silently ignored. An import is refused, changing nothing, when the document is malformed, is for
another tree, names a topic that does not exist, or would break the tree in a way the draft does
not already (a loop, a dead end, a node no choice leads to): the same rule as for saves in the
admin. A text missing in one language is allowed, as in the draft; publishing checks for it.
"""

import tomllib
from dataclasses import dataclass, field

import tomli_w
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from carmsupport.bilingual import columns
from helpdesk.models import ResponseClass

from .diff import ReleaseDiff, compare
from .integrity import node_shape, tree_problems
from .models import Choice, Node, Tree
from .releases import FORMAT, snapshot

# The keys of each table, in the order they are written.
TREE_KEYS = ["slug", "title_en", "title_fr", "start", "intro_en", "intro_fr"]
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
CHOICE_KEYS = ["slug", "label_en", "label_fr", "target"]

# Keys a document must have; the others take these defaults.
REQUIRED = {
    "tree": {"slug", "title_en"},
    "question": {"id", "kind", "text_en"},
    "outcome": {"id", "kind", "title_en"},
    "choice": {"slug", "label_en", "target"},
}
DEFAULTS = {"topic": None, "start": None, "contact_allowed": True, "response_class": ResponseClass.STANDARD.value}
# The node fields of each kind other than id and kind, as the database holds them.
NODE_FIELDS = {
    "question": ["name", "text_en", "text_fr", "hint_en", "hint_fr"],
    "outcome": ["name", "title_en", "title_fr", "guidance_en", "guidance_fr", "contact_allowed", "response_class"],
}
TREE_TEXTS = [*columns("title"), *columns("intro")]

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
            parts.extend(_line(key, choice[key]) for key in CHOICE_KEYS)
    return "".join(parts)


def export_draft(tree: Tree) -> str:
    """The tree's draft as the TOML document."""
    return write_document(snapshot(tree))


# Reading


def _where(node_id=None, slug=None) -> str:
    if node_id is None:
        return _("The tree")
    if slug is None:
        return _("Node %(id)s") % {"id": node_id}
    return _("Node %(id)s, choice “%(slug)s”") % {"id": node_id, "slug": slug}


def _is_id(value) -> bool:
    """A node id in a document: a whole number or a text, not empty."""
    return not isinstance(value, bool) and isinstance(value, int | str) and value != ""


class _Reader:
    """Checks a parsed document and turns it into a snapshot, noting every problem."""

    def __init__(self):
        self.problems = []

    def problem(self, where, message):
        self.problems.append(_("%(where)s: %(problem)s") % {"where": where, "problem": message})

    def table(self, where, table, keys, required, model):
        """The table's values for `keys` (defaults for those left out), checked against the model's fields."""
        if not isinstance(table, dict):
            self.problem(where, _("this must be a table of keys and values"))
            return None
        for key in table:
            if key not in keys:
                self.problem(where, _("unknown key “%(key)s”") % {"key": key})
        values = {}
        for key in keys:
            if key not in table:
                if key in required:
                    self.problem(where, _("“%(key)s” is missing") % {"key": key})
                values[key] = DEFAULTS.get(key, "")
                continue
            values[key] = self.value(where, key, table[key], model)
        return values

    def value(self, where, key, value, model):
        if key in ("id", "target", "start"):
            if not _is_id(value):
                self.problem(where, _("“%(key)s” must be a whole number or a text") % {"key": key})
            return value
        if key == "contact_allowed":
            if not isinstance(value, bool):
                self.problem(where, _("“%(key)s” must be true or false") % {"key": key})
            return value
        if key == "kind":
            if value not in Node.Kind.values:
                self.problem(where, _("“kind” must be “question” or “outcome”"))
            return value
        if key == "topic" and value == "":
            return None
        if not isinstance(value, str):
            self.problem(where, _("“%(key)s” must be a text") % {"key": key})
            return value
        if "\x00" in value:
            self.problem(where, _("“%(key)s” contains a null character") % {"key": key})
        if key == "response_class" and value not in ResponseClass.values:
            choices = ", ".join(f"“{choice}”" for choice in ResponseClass.values)
            self.problem(where, _("“response_class” must be one of %(choices)s") % {"choices": choices})
        elif key != "topic":
            try:
                model._meta.get_field(key).run_validators(value)
            except ValidationError as error:
                for message in error.messages:
                    self.problem(where, f"“{key}”: {message}")
        return value

    def required_texts(self, where, values, keys):
        for key in keys:
            if isinstance(values.get(key), str) and not values[key].strip():
                self.problem(where, _("“%(key)s” cannot be empty") % {"key": key})

    def read(self, document: dict) -> dict:
        for key in document:
            if key not in ("format", "tree", "node"):
                self.problem(_("The document"), _("unknown key “%(key)s”") % {"key": key})
        found = document.get("format")
        if found != FORMAT or isinstance(found, bool):
            self.problems.append(
                _("The document must say format = %(format)s; it says %(found)s.")
                % {"format": FORMAT, "found": _("nothing") if found is None else repr(found)}
            )
        head = None
        if "tree" not in document:
            self.problems.append(_("The document has no [tree] table."))
        else:
            head = self.table(_where(), document["tree"], TREE_KEYS, REQUIRED["tree"], Tree)
            self.required_texts(_where(), head or {}, ["slug", "title_en"])
        tables = document.get("node", [])
        if not isinstance(tables, list):
            self.problems.append(_("“node” must be a list of [[node]] tables."))
            tables = []
        nodes = [node for node in (self.node(index, table) for index, table in enumerate(tables, 1)) if node]
        self.check_references(head, nodes)
        return {"format": FORMAT, "tree": head, "nodes": nodes}

    def node(self, index, table):
        node_id = table.get("id", f"[{index}]") if isinstance(table, dict) else f"[{index}]"
        where = _where(node_id)
        if not isinstance(table, dict):
            self.problem(where, _("this must be a table of keys and values"))
            return None
        kind = table.get("kind")
        if kind not in Node.Kind.values:
            self.problem(where, _("“kind” must be “question” or “outcome”"))
            return None
        keys = QUESTION_KEYS if kind == "question" else OUTCOME_KEYS
        node = self.table(where, {k: v for k, v in table.items() if k != "choice"}, keys, REQUIRED[kind], Node)
        self.required_texts(where, node, ["text_en" if kind == "question" else "title_en"])
        if not _is_id(node["id"]):
            return None
        choices = table.get("choice", [])
        if kind == "outcome":
            if choices:
                self.problem(where, _("only questions can have choices"))
            return node
        if not isinstance(choices, list):
            self.problem(where, _("“choice” must be a list of [[node.choice]] tables"))
            choices = []
        node["choices"] = []
        for choice_table in choices:
            slug = choice_table.get("slug") if isinstance(choice_table, dict) else None
            choice_where = _where(node_id, slug if isinstance(slug, str) else "?")
            choice = self.table(choice_where, choice_table, CHOICE_KEYS, REQUIRED["choice"], Choice)
            if choice is not None:
                self.required_texts(choice_where, choice, ["slug", "label_en"])
                node["choices"].append(choice)
        slugs = [choice["slug"] for choice in node["choices"]]
        for slug in sorted({slug for slug in slugs if slugs.count(slug) > 1}, key=str):
            self.problem(where, _("more than one choice has the slug “%(slug)s”") % {"slug": slug})
        return node

    def check_references(self, head, nodes):
        ids = [node["id"] for node in nodes]
        for node_id in sorted({node_id for node_id in ids if ids.count(node_id) > 1}, key=str):
            self.problems.append(_("More than one node has the id %(id)s.") % {"id": node_id})
        known = set(ids)
        for node in nodes:
            for choice in node.get("choices", []):
                if _is_id(choice["target"]) and choice["target"] not in known:
                    self.problem(
                        _where(node["id"], choice["slug"]),
                        _("it leads to node %(target)s, which is not in the document") % {"target": choice["target"]},
                    )
        if head and _is_id(head["start"]) and head["start"] not in known:
            self.problem(
                _where(), _("it starts with node %(start)s, which is not in the document") % {"start": head["start"]}
            )


def read_document(text: str) -> dict:
    """The document as a snapshot (ids as the document gives them), or DraftImportError if it is malformed."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DraftImportError([_("The document is not valid TOML: %(error)s") % {"error": error}]) from error
    reader = _Reader()
    data = reader.read(document)
    if reader.problems:
        raise DraftImportError(reader.problems)
    return data


# Importing


def _shapes(data: dict, labels=None) -> dict:
    """The shapes of a snapshot's nodes for the tree rules, labelled alike whatever the snapshot's source;
    `labels` gives some nodes their label, so that a problem known before keeps its wording."""
    shapes = {}
    for entry in data["nodes"]:
        texts = {name: entry[name] for name in NODE_FIELDS[entry["kind"]]}
        choices = [
            (choice["slug"], choice["target"], {key: choice[key] for key in columns("label")})
            for choice in entry.get("choices", [])
        ]
        shape = node_shape(Node(kind=entry["kind"], **texts), choices)
        shape.label = (labels or {}).get(entry["id"]) or f"{shape.label} (#{entry['id']})"
        shapes[entry["id"]] = shape
    return shapes


def _structure_problems(before: dict, data: dict) -> list[str]:
    """The broken rules the document has that the draft has not, as the admin refuses them on a save."""
    shapes = _shapes(before)
    known = set(tree_problems(before["tree"]["start"], shapes))
    labels = {key: shape.label for key, shape in shapes.items()}
    after = tree_problems(data["tree"]["start"], _shapes(data, labels))
    return [problem for problem in after if problem not in known]


def _topics(data: dict) -> dict:
    """{slug: topic id} of the topics the document names (triage does not import the cases app)."""
    topic_model = Node._meta.get_field("topic").related_model
    slugs = {entry["topic"] for entry in data["nodes"] if entry.get("topic")}
    return dict(topic_model.objects.filter(slug__in=slugs).values_list("slug", "pk"))


def _resolve(data: dict, ids: dict) -> dict:
    """The document's snapshot with its ids replaced by the real ones, nodes in order of id, as snapshot() gives it."""

    def real(node_id):
        return ids.get(node_id, node_id)

    nodes = []
    for entry in data["nodes"]:
        entry = {**entry, "id": real(entry["id"])}
        if "choices" in entry:
            entry["choices"] = [{**choice, "target": real(choice["target"])} for choice in entry["choices"]]
        nodes.append(entry)
    nodes.sort(key=lambda entry: entry["id"])
    head = {**data["tree"], "start": real(data["tree"]["start"])}
    return {"format": data["format"], "tree": head, "nodes": nodes}


def _blank_node_fields(kind) -> dict:
    """The defaults of the fields a node of `kind` does not use, for a node whose kind changes."""
    other = "outcome" if kind == "question" else "question"
    unused = [name for name in NODE_FIELDS[other] if name not in NODE_FIELDS[kind]]
    values = {name: Node._meta.get_field(name).get_default() for name in unused}
    if kind == "question":
        values["topic_id"] = None
    return values


def _set(instance, values: dict) -> list[str]:
    """Give the instance these values; the names of those that changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


@transaction.atomic
def import_draft(tree: Tree, text: str) -> ImportResult:
    """Make the tree's draft equal to the TOML document, in one transaction; publish nothing.

    Raises DraftImportError, changing nothing, when the document is malformed or cannot apply to
    this tree. Afterwards snapshot(tree) equals the document, new nodes having their real ids
    (ImportResult.ids), and `tree` holds the stored values.
    """
    data = read_document(text)
    locked = Tree.objects.select_for_update().get(pk=tree.pk)
    before = snapshot(locked)
    problems = []
    if data["tree"]["slug"] != locked.slug:
        problems.append(
            _("The document is for the help tree “%(found)s”, not “%(slug)s”.")
            % {"found": data["tree"]["slug"], "slug": locked.slug}
        )
    topics = _topics(data)
    for entry in data["nodes"]:
        if entry.get("topic") and entry["topic"] not in topics:
            problems.append(
                _("%(where)s: the case topic “%(topic)s” does not exist")
                % {"where": _where(entry["id"]), "topic": entry["topic"]}
            )
    problems.extend(_structure_problems(before, data))
    if problems:
        raise DraftImportError(problems)

    existing = {node.pk: node for node in Node.objects.filter(tree=locked)}
    kept = {entry["id"] for entry in data["nodes"] if not isinstance(entry["id"], str) and entry["id"] in existing}
    removed = existing.keys() - kept
    result = ImportResult(before=before, after=before)

    # Nothing may lead to a node about to go: the tree's start, then the choices the document drops.
    if locked.start_id in removed:
        locked.start = None
        locked.save(update_fields=["start"])
    wanted = {
        (entry["id"], choice["slug"])
        for entry in data["nodes"]
        if entry["id"] in kept and entry["kind"] == "question"
        for choice in entry["choices"]
    }
    dropped = [
        choice.pk
        for choice in Choice.objects.filter(question__tree=locked)
        if (choice.question_id, choice.slug) not in wanted
    ]
    Choice.objects.filter(pk__in=dropped).delete()

    for entry in data["nodes"]:
        values = {name: entry[name] for name in NODE_FIELDS[entry["kind"]]}
        if entry["kind"] == "outcome":
            values["topic_id"] = topics.get(entry["topic"]) if entry["topic"] else None
        if entry["id"] in kept:
            node = existing[entry["id"]]
            if node.kind != entry["kind"]:
                values = {**_blank_node_fields(entry["kind"]), **values, "kind": entry["kind"]}
            changed = _set(node, values)
            if changed:
                node.save(update_fields=[name.removesuffix("_id") for name in changed])
                result.updated += 1
        else:
            node = Node.objects.create(tree=locked, kind=entry["kind"], **values)
            result.ids[entry["id"]] = node.pk
            result.created += 1

    def real(node_id):
        return result.ids.get(node_id, node_id)

    current = {}
    for choice in Choice.objects.filter(question__tree=locked).order_by("position", "id"):
        current.setdefault(choice.question_id, {})[choice.slug] = choice
    for entry in data["nodes"]:
        if entry["kind"] == "question":
            _import_choices(real(entry["id"]), entry["choices"], current.get(real(entry["id"]), {}), real)

    try:
        Node.objects.filter(pk__in=removed).delete()
    except ProtectedError as error:
        raise DraftImportError(
            [_("A node the document leaves out cannot be deleted: %(reason)s") % {"reason": error.args[0]}]
        ) from error
    result.deleted = len(removed)

    head = {name: data["tree"][name] for name in TREE_TEXTS}
    head["start_id"] = real(data["tree"]["start"])
    changed = _set(locked, head)
    if changed:
        locked.save(update_fields=[name.removesuffix("_id") for name in changed])

    result.after = snapshot(locked)
    if result.after != _resolve(data, result.ids):
        # A safety net: the draft must read back as the document, or nothing is kept.
        raise DraftImportError([_("The draft did not come out equal to the document; nothing was changed.")])
    tree.refresh_from_db()
    return result


def _import_choices(question_id, entries, current: dict, real):
    """Make the question's choices those of the document, in its order, keeping the positions that still fit."""
    kept = [current[entry["slug"]] for entry in entries if entry["slug"] in current]
    new_at_end = all(entry["slug"] in current for entry in entries[: len(kept)])
    # Choices are listed by position, then id: positions that already give the document's order stay.
    keep_positions = new_at_end and kept == sorted(kept, key=lambda choice: (choice.position, choice.pk))
    following = max((choice.position for choice in kept), default=0) + 1
    for number, entry in enumerate(entries, 1):
        choice = current.get(entry["slug"])
        if keep_positions:
            position = choice.position if choice else following
            following += 0 if choice else 1
        else:
            position = number
        values = {
            "label_en": entry["label_en"],
            "label_fr": entry["label_fr"],
            "target_id": real(entry["target"]),
            "position": position,
        }
        if choice is None:
            Choice.objects.create(question_id=question_id, slug=entry["slug"], **values)
        elif changed := _set(choice, values):
            choice.save(update_fields=[name.removesuffix("_id") for name in changed])
