"""A help tree's TOML document (see triage.exchange) read and checked: every problem noted, one sentence each,
so that a document written by hand is refused with all that is wrong with it, changing nothing."""

import tomllib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from helpdesk.models import ResponseClass

from .exchange import CHOICE_KEYS, OUTCOME_KEYS, QUESTION_KEYS, TREE_KEYS, DraftImportError, part_name
from .models import Choice, Node, Tree
from .releases import FORMAT

# Keys a document must have; the others take these defaults.
REQUIRED = {
    "tree": {"slug", "title_en"},
    "question": {"id", "kind", "text_en"},
    "outcome": {"id", "kind", "title_en"},
    "choice": {"slug", "label_en", "target"},
}
DEFAULTS = {"topic": None, "start": None, "contact_allowed": True, "response_class": ResponseClass.STANDARD.value}


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
            head = self.table(part_name(), document["tree"], TREE_KEYS, REQUIRED["tree"], Tree)
            self.required_texts(part_name(), head or {}, ["slug", "title_en"])
        tables = document.get("node", [])
        if not isinstance(tables, list):
            self.problems.append(_("“node” must be a list of [[node]] tables."))
            tables = []
        nodes = [node for node in (self.node(index, table) for index, table in enumerate(tables, 1)) if node]
        self.check_references(head, nodes)
        return {"format": FORMAT, "tree": head, "nodes": nodes}

    def node(self, index, table):
        node_id = table.get("id", f"[{index}]") if isinstance(table, dict) else f"[{index}]"
        where = part_name(node_id)
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
            choice_where = part_name(node_id, slug if isinstance(slug, str) else "?")
            choice = self.table(choice_where, choice_table, CHOICE_KEYS, REQUIRED["choice"], Choice)
            if choice is not None:
                self.required_texts(choice_where, choice, ["slug", "label_en"])
                node["choices"].append(choice)
        slugs = [choice["slug"] for choice in node["choices"]]
        for slug in sorted({slug for slug in slugs if slugs.count(slug) > 1}, key=str):
            self.problem(where, _("more than one choice has the slug “%(slug)s”") % {"slug": slug})
        french = [choice["slug_fr"] for choice in node["choices"] if choice["slug_fr"]]
        for slug in sorted({slug for slug in french if french.count(slug) > 1}, key=str):
            self.problem(where, _("more than one choice has the French slug “%(slug)s”") % {"slug": slug})
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
                        part_name(node["id"], choice["slug"]),
                        _("it leads to node %(target)s, which is not in the document") % {"target": choice["target"]},
                    )
        if head and _is_id(head["start"]) and head["start"] not in known:
            self.problem(
                part_name(), _("it starts with node %(start)s, which is not in the document") % {"start": head["start"]}
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
