"""The rules a help tree must keep, checked on a plain description of its nodes."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from carmsupport.bilingual import columns, missing_languages

from .models import Choice, Node, Tree
from .traversal import loops, reachable

# The texts of each kind of node; each has an English and a French column.
NODE_TEXTS = {Node.Kind.QUESTION: ["text", "hint"], Node.Kind.OUTCOME: ["title", "guidance"]}


@dataclass
class NodeShape:
    """What the rules need to know of one node: its kind, what it shows, where it leads."""

    label: str
    kind: str
    has_guidance: bool = False
    # (slug, target node key or None) in order.
    choices: list[tuple[str, object]] = field(default_factory=list)
    # Its texts, and its choices' labels, that have one language and not the other.
    untranslated: list[str] = field(default_factory=list)


def node_shape(node, choices=()) -> NodeShape:
    """The shape of a node (saved or not) with its choices, given as (slug, target key, {label_en, label_fr})."""
    untranslated = untranslated_texts(node, NODE_TEXTS.get(node.kind, []))
    for slug, _target, labels in choices:
        untranslated.extend(
            _('choice "%(slug)s": %(field)s') % {"slug": slug, "field": field}
            for field in _empty_columns(Choice, labels, "label")
        )
    return NodeShape(
        label=str(node),
        kind=node.kind,
        has_guidance=any(getattr(node, column).strip() for column in columns("guidance")),
        choices=[(slug, target) for slug, target, _labels in choices],
        untranslated=untranslated,
    )


def untranslated_texts(instance, names) -> list[str]:
    """The columns, named as staff see them ("guidance (French)"), empty while the other language has text."""
    values = {column: getattr(instance, column) for name in names for column in columns(name)}
    return [field for name in names for field in _empty_columns(type(instance), values, name)]


def _empty_columns(model, values, name):
    return [str(model._meta.get_field(f"{name}_{code}").verbose_name) for code in missing_languages(values, name)]


def tree_shapes(tree) -> dict:
    """The shapes of a stored tree's nodes, keyed by node id (two queries)."""
    choices = {}
    for choice in Choice.objects.filter(question__tree=tree).only(
        "question_id", "slug", "target_id", *columns("label")
    ):
        labels = {column: getattr(choice, column) for column in columns("label")}
        choices.setdefault(choice.question_id, []).append((choice.slug, choice.target_id, labels))
    return {node.pk: node_shape(node, choices.get(node.pk, ())) for node in Node.objects.filter(tree=tree)}


def snapshot_shapes(snapshot: dict, labels=None) -> dict:
    """The shapes of a snapshot's nodes (see triage.releases: a release's, the draft's, a document's), keyed by id.

    Each is labelled as the admin names a node, "Who are you? (#3)", unless `labels` gives its
    label ({id: label}), so that a problem known before keeps its wording.
    """
    shapes = {}
    for entry in snapshot["nodes"]:
        texts = {column: entry.get(column) or "" for name in NODE_TEXTS[entry["kind"]] for column in columns(name)}
        node = Node(kind=entry["kind"], name=entry.get("name") or "", **texts)
        choices = [
            (choice["slug"], choice["target"], {column: choice.get(column) or "" for column in columns("label")})
            for choice in entry.get("choices", ())
        ]
        shape = node_shape(node, choices)
        shape.label = (labels or {}).get(entry["id"]) or f"{shape.label} (#{entry['id']})"
        shapes[entry["id"]] = shape
    return shapes


def located_problems(start, shapes: dict, may_be_unreachable=(), *, require_both_languages=False):
    """Every broken rule, as (the nodes it is about, a sentence for staff), in the order staff read them.

    `may_be_unreachable` names nodes being created, which no choice can lead to yet.
    With `require_both_languages`, a text in one language only is a problem too.
    """
    for key, shape in shapes.items():
        for sentence in _node_problems(shape, shapes):
            yield (key,), sentence
        if require_both_languages:
            for field in shape.untranslated:
                yield (key,), _("%(node)s: %(field)s is empty.") % {"node": shape.label, "field": field}
    if start is None or start not in shapes:
        yield (), _("The tree has no first question.")
        return
    if shapes[start].kind != Node.Kind.QUESTION:
        yield (start,), _("The first node of the tree, %(node)s, is not a question.") % {"node": shapes[start].label}

    def choices(key):
        return shapes[key].choices

    for loop, slug in loops(shapes, choices):
        names = {"slug": slug, "node": shapes[loop[-1]].label, "target": shapes[loop[0]].label}
        yield loop, _('Choice "%(slug)s" of %(node)s leads back to %(target)s, making a loop.') % names
    reached = reachable(start, shapes, choices)
    for key, shape in shapes.items():
        if key not in reached and key not in may_be_unreachable:
            yield (key,), _("%(node)s cannot be reached from the first question.") % {"node": shape.label}


def tree_problems(start, shapes: dict, may_be_unreachable=(), *, require_both_languages=False) -> list[str]:
    """Every broken rule (see located_problems), as a sentence for staff; an empty list when the tree is sound."""
    located = located_problems(start, shapes, may_be_unreachable, require_both_languages=require_both_languages)
    return [sentence for _nodes, sentence in located]


def problems_by_node(start, shapes: dict, *, require_both_languages: bool = True) -> dict[int, list[str]]:
    """The nodes that break a rule or lack a text, each with its problems as sentences (for the tree's graph).

    Every node of a loop has the loop's sentence; a tree without a first question marks no node.
    """
    found: dict[int, list[str]] = {}
    for nodes, sentence in located_problems(start, shapes, require_both_languages=require_both_languages):
        for key in nodes:
            found.setdefault(key, []).append(sentence)
    return found


def problems_after_change(tree, key, shape):
    """The problems that replacing one node's shape (key None: adding it) would add to the tree.

    A text missing in one language is not one of them: the draft may lack it until it is published.
    """
    shapes = tree_shapes(tree)
    both = False
    before = set(tree_problems(tree.start_id, shapes, require_both_languages=both))
    if key in shapes:
        shape.label = shapes[key].label  # problems already known keep their wording
    shapes[key] = shape
    after = tree_problems(tree.start_id, shapes, may_be_unreachable={None}, require_both_languages=both)
    return [problem for problem in after if problem not in before]


_STORED = object()


def publishing_problems(tree: Tree, *, start_id=_STORED, own_texts=None) -> list[str]:
    """Everything that keeps a tree's draft from being published (see unpublishable).

    `start_id` and `own_texts` (the tree's title and introduction columns) stand for the
    stored ones when given, for a form being saved.
    """
    start_id = tree.start_id if start_id is _STORED else start_id
    own_texts = own_texts or {column: getattr(tree, column) for column in [*columns("title"), *columns("intro")]}
    return unpublishable(start_id, own_texts, tree_shapes(tree))


def unpublishable(start, own_texts: dict, shapes: dict) -> list[str]:
    """Everything that keeps a tree from being published: its own title or introduction in one language
    only, every broken rule and every missing text. `own_texts` holds the tree's title and introduction
    columns (a Tree's, or a snapshot's "tree")."""
    problems = [
        _("The tree: %(field)s is empty.") % {"field": field}
        for name in ("title", "intro")
        for field in _empty_columns(Tree, own_texts, name)
    ]
    return problems + tree_problems(start, shapes, require_both_languages=True)


def _node_problems(shape, shapes):
    node = {"node": shape.label}
    if shape.kind == Node.Kind.QUESTION and not shape.choices:
        yield _("Question %(node)s has no choices.") % node
    if shape.kind == Node.Kind.OUTCOME:
        if shape.choices:
            yield _("Outcome %(node)s has choices; only questions can have them.") % node
        if not shape.has_guidance:
            yield _("Outcome %(node)s has no guidance.") % node
    slugs = [slug for slug, _target in shape.choices]
    for slug in sorted({slug for slug in slugs if slugs.count(slug) > 1}):
        yield _('Question %(node)s has more than one choice with the slug "%(slug)s".') % {**node, "slug": slug}
    for slug, target in shape.choices:
        if target is None:
            yield _('Choice "%(slug)s" of %(node)s leads nowhere.') % {**node, "slug": slug}
        elif target not in shapes:
            yield _('Choice "%(slug)s" of %(node)s leads to a node of another tree.') % {**node, "slug": slug}
