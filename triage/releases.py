"""Releases of a help tree: the draft staff edit, taken whole as a snapshot, and published.

A snapshot is plain data, the same for a release, an export and a comparison:

    {"format": 1,
     "tree": {"slug", "slug_fr", "title_en", "title_fr", "intro_en", "intro_fr", "start": node id},
     "nodes": [{"id", "kind": "question", "name", "text_en", "text_fr", "hint_en", "hint_fr",
                "choices": [{"slug", "slug_fr", "label_en", "label_fr", "target": node id}, ...]},
               {"id", "kind": "outcome", "name", "title_en", "title_fr", "guidance_en", "guidance_fr",
                "contact_allowed", "topic": topic slug or null, "response_class"}, ...]}
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from carmsupport.bilingual import in_language

from .integrity import publishing_problems
from .models import Choice, Node, Release, Tree, new_revision

FORMAT = 1
QUESTION_FIELDS = ["text_en", "text_fr", "hint_en", "hint_fr"]
OUTCOME_FIELDS = ["title_en", "title_fr", "guidance_en", "guidance_fr", "contact_allowed", "response_class"]
TREE_FIELDS = ["slug_fr", "title_en", "title_fr", "intro_en", "intro_fr"]


class PublishError(ValueError):
    """The draft breaks a rule or lacks a text: nothing was published. `problems` says what."""

    def __init__(self, problems):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = list(problems)


def snapshot(tree, node_model=Node, choice_model=Choice) -> dict:
    """The tree's draft as plain data (three queries). The models may be a migration's."""
    choices = {}
    for choice in choice_model.objects.filter(question__tree=tree.pk).order_by("position", "id"):
        choices.setdefault(choice.question_id, []).append(
            {
                "slug": choice.slug,
                "slug_fr": choice.slug_fr,
                "label_en": choice.label_en,
                "label_fr": choice.label_fr,
                "target": choice.target_id,
            }
        )
    nodes = []
    for node in node_model.objects.filter(tree=tree.pk).select_related("topic").order_by("id"):
        entry = {"id": node.pk, "kind": node.kind, "name": node.name}
        if node.kind == "question":
            entry.update({name: getattr(node, name) for name in QUESTION_FIELDS})
            entry["choices"] = choices.get(node.pk, [])
        else:
            entry.update({name: getattr(node, name) for name in OUTCOME_FIELDS})
            entry["topic"] = node.topic.slug if node.topic_id else None
        nodes.append(entry)
    head = {"slug": tree.slug, **{name: getattr(tree, name) for name in TREE_FIELDS}, "start": tree.start_id}
    return {"format": FORMAT, "tree": head, "nodes": nodes}


def node_heading(entry: dict, language: str) -> str:
    """What clients read first of a snapshot's node in `language`, or in English when it has none: a question's
    text or an outcome's title; else its internal name; "" when it has neither."""
    return in_language(entry, "text" if entry["kind"] == "question" else "title", language) or entry.get("name") or ""


def topic_ids(snapshot: dict) -> dict:
    """{slug: topic id} of the case topics a snapshot's outcomes name (read through Node.topic: triage does
    not import the app that holds topics); no query when it names none."""
    slugs = {entry["topic"] for entry in snapshot["nodes"] if entry.get("topic")}
    topic_model = Node._meta.get_field("topic").related_model
    return dict(topic_model.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}


def tree_publish(tree: Tree, *, by=None, note: str = "", restores: Release | None = None) -> Release:
    """Check the draft, take its snapshot and make it the release clients see, in one transaction.

    Raises PublishError, publishing nothing, while the draft breaks a rule or lacks a text in
    either language. With `restores`, that earlier release's snapshot is published instead.
    """
    with transaction.atomic():
        tree = Tree.objects.select_for_update().get(pk=tree.pk)
        if restores is None:
            problems = publishing_problems(tree)
            if problems:
                raise PublishError(problems)
            taken = snapshot(tree)
        else:
            taken = restores.snapshot
        number = (tree.releases.aggregate(last=Max("number"))["last"] or 0) + 1
        release = Release.objects.create(
            tree=tree,
            number=number,
            snapshot=taken,
            note=note,
            published_by=by,
            published_at=timezone.now(),
            restores=restores,
        )
        # The draft's pages give the date of the tree's last change: a new revision, so that none kept is shown again.
        Tree.objects.filter(pk=tree.pk).update(
            current_release=release, changed_at=release.published_at, revision=new_revision()
        )
    return release


def tree_roll_back(release: Release, *, by=None, note: str = "") -> Release:
    """Publish an earlier release again, as a new release; the draft is left as it is."""
    note = note or _("Rollback to release %(number)s") % {"number": release.number}
    return tree_publish(release.tree, by=by, note=note, restores=release)
