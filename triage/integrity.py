"""The rules a help tree must keep, checked on a plain description of its nodes."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Choice, Node


@dataclass
class NodeShape:
    """What the rules need to know of one node: its kind, what it shows, where it leads."""

    label: str
    kind: str
    has_guidance: bool = False
    # (slug, target node key or None) in order.
    choices: list[tuple[str, object]] = field(default_factory=list)


def tree_shapes(tree) -> dict:
    """The shapes of a stored tree's nodes, keyed by node id (two queries)."""
    shapes = {
        node.pk: NodeShape(label=str(node), kind=node.kind, has_guidance=bool(node.guidance_en.strip()))
        for node in Node.objects.filter(tree=tree)
    }
    for question_id, slug, target_id in Choice.objects.filter(question__tree=tree).values_list(
        "question_id", "slug", "target_id"
    ):
        shapes[question_id].choices.append((slug, target_id))
    return shapes


def tree_problems(start, shapes: dict, may_be_unreachable=()) -> list[str]:
    """Every broken rule, as a sentence for staff; an empty list when the tree is sound.

    `may_be_unreachable` names nodes being created, which no choice can lead to yet.
    """
    problems = []
    for shape in shapes.values():
        problems.extend(_node_problems(shape, shapes))
    if start is None or start not in shapes:
        problems.append(_("The tree has no first question."))
        return problems
    if shapes[start].kind != Node.Kind.QUESTION:
        problems.append(_("The first node of the tree, %(node)s, is not a question.") % {"node": shapes[start].label})
    problems.extend(_cycle_problems(shapes))
    reachable = _reachable(start, shapes)
    for key, shape in shapes.items():
        if key not in reachable and key not in may_be_unreachable:
            problems.append(_("%(node)s cannot be reached from the first question.") % {"node": shape.label})
    return problems


def problems_after_change(tree, key, shape):
    """The problems that replacing one node's shape (key None: adding it) would add to the tree."""
    shapes = tree_shapes(tree)
    before = set(tree_problems(tree.start_id, shapes))
    if key in shapes:
        shape.label = shapes[key].label  # problems already known keep their wording
    shapes[key] = shape
    after = tree_problems(tree.start_id, shapes, may_be_unreachable={None})
    return [problem for problem in after if problem not in before]


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


def _reachable(start, shapes):
    seen, pending = {start}, [start]
    while pending:
        for _slug, target in shapes[pending.pop()].choices:
            if target in shapes and target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _cycle_problems(shapes):
    """One sentence per choice that leads back to a node already on the way to it."""
    done, problems = set(), []
    for root in shapes:
        if root in done:
            continue
        on_path = {root}
        stack = [(root, iter(shapes[root].choices))]
        while stack:
            key, choices = stack[-1]
            for slug, target in choices:
                if target not in shapes or target in done:
                    continue
                if target in on_path:
                    problems.append(
                        _('Choice "%(slug)s" of %(node)s leads back to %(target)s, making a loop.')
                        % {"slug": slug, "node": shapes[key].label, "target": shapes[target].label}
                    )
                    continue
                on_path.add(target)
                stack.append((target, iter(shapes[target].choices)))
                break
            else:
                stack.pop()
                on_path.discard(key)
                done.add(key)
    return problems
