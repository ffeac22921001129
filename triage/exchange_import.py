"""A help tree's TOML document (see triage.exchange) made its draft, in one transaction; nothing is published.

Nodes are matched by id, the document's new nodes created with ids of the database's choosing, and
the tree's nodes the document leaves out deleted; an import is refused, changing nothing, when it
would break the tree in a way the draft does not already.
"""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from .exchange import DraftImportError, ImportResult, part_name
from .exchange_reader import read_document
from .integrity import snapshot_shapes, tree_problems
from .models import Choice, Node, Tree
from .releases import OUTCOME_FIELDS, QUESTION_FIELDS, TREE_FIELDS, snapshot, topic_ids

# The node fields of each kind other than id and kind, as the database holds them.
NODE_FIELDS = {"question": ["name", *QUESTION_FIELDS], "outcome": ["name", *OUTCOME_FIELDS]}


def _structure_problems(before: dict, data: dict) -> list[str]:
    """The broken rules the document has that the draft has not, as the admin refuses them on a save."""
    shapes = snapshot_shapes(before)
    known = set(tree_problems(before["tree"]["start"], shapes))
    labels = {key: shape.label for key, shape in shapes.items()}
    after = tree_problems(data["tree"]["start"], snapshot_shapes(data, labels))
    return [problem for problem in after if problem not in known]


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
    topics = topic_ids(data)
    for entry in data["nodes"]:
        if entry.get("topic") and entry["topic"] not in topics:
            problems.append(
                _("%(where)s: the case topic “%(topic)s” does not exist")
                % {"where": part_name(entry["id"]), "topic": entry["topic"]}
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

    head = {name: data["tree"][name] for name in TREE_FIELDS}
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
            "slug_fr": entry["slug_fr"],
            "target_id": real(entry["target"]),
            "position": position,
        }
        if choice is None:
            Choice.objects.create(question_id=question_id, slug=entry["slug"], **values)
        elif changed := _set(choice, values):
            choice.save(update_fields=[name.removesuffix("_id") for name in changed])
