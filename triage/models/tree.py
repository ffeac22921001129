"""Help trees: questions and outcomes joined by ordered choices, edited by staff."""

import uuid

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carmsupport.bilingual import Translated, bilingual
from helpdesk.models import ResponseClass

# The permission of staff who may see help trees: their admin pages, the preview, the graph.
VIEW_TREES = "triage.view_tree"


def new_revision():
    return uuid.uuid4().hex


# The trees clients may walk: those with a release.
PUBLISHED = {"current_release__isnull": False}


class TreeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(**PUBLISHED)


class Tree(models.Model):
    """One interactive help tool, such as "Get help with the CARM Client Portal"."""

    title_en, title_fr = bilingual(models.CharField, _("title"), max_length=200)
    slug = models.SlugField(
        _("slug"), unique=True, help_text=_('Used in the address of every page of the tool. Example: "carm"')
    )
    slug_fr = models.SlugField(
        _("French slug"),
        blank=True,
        help_text=_('Stands for the tool in its French addresses; keep it once published. Example: "gcra"'),
    )
    intro_en, intro_fr = bilingual(
        models.TextField,
        _("introduction"),
        blank=True,
        help_text=_("Shown on the start page. Markdown; HTML is shown as text."),
    )
    start = models.ForeignKey(
        "Node",
        verbose_name=_("first question"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    current_release = models.ForeignKey(
        "Release",
        verbose_name=_("release clients see"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Clients see the tree as it was published in this release; edits are a draft until published."),
    )
    # The draft's revision: any edit gives it a new one (cached previews and graphs of the draft).
    revision = models.CharField(_("revision"), max_length=32, default=new_revision, editable=False)
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now, editable=False)

    objects = TreeQuerySet.as_manager()

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("help tree")
        verbose_name_plural = _("help trees")
        constraints = [
            models.UniqueConstraint(
                fields=["slug_fr"],
                condition=~Q(slug_fr=""),
                name="tree_slug_fr_unique",
                violation_error_message=_("Another help tree has this French slug."),
            ),
        ]

    title = Translated()
    intro = Translated()

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Any save may change the draft's title, introduction or first question: a new revision, as a node's
        edit gives, so that previews and graphs kept for the old one are not shown again."""
        self.revision, self.changed_at = new_revision(), timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "revision", "changed_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from ..selectors import address_slug

        return reverse("triage:start", args=[address_slug(self.slug, self.slug_fr)])

    @classmethod
    def touch(cls, **filters):
        """Give the matching trees a new revision, so cached copies are not used again."""
        cls.objects.filter(**filters).update(revision=new_revision(), changed_at=timezone.now())


class Node(models.Model):
    """A question asked of the client, or an outcome that gives guidance."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        OUTCOME = "outcome", _("Outcome")

    tree = models.ForeignKey(Tree, verbose_name=_("help tree"), on_delete=models.CASCADE, related_name="nodes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    name = models.CharField(
        _("internal name"),
        max_length=300,
        blank=True,
        help_text=_("Seen by staff only, to tell apart questions that read the same."),
    )
    text_en, text_fr = bilingual(
        models.CharField,
        _("question"),
        max_length=500,
        blank=True,
        help_text=_('For questions. Example: "Are you a non-resident business?"'),
    )
    hint_en, hint_fr = bilingual(
        models.CharField, _("hint"), max_length=500, blank=True, help_text=_("For questions, optional.")
    )
    title_en, title_fr = bilingual(
        models.CharField,
        _("outcome title"),
        max_length=300,
        blank=True,
        help_text=_('For outcomes. Example: "Your business number is not accepted"'),
    )
    guidance_en, guidance_fr = bilingual(
        models.TextField,
        _("guidance"),
        blank=True,
        help_text=_("For outcomes. Markdown: paragraphs, lists and links; HTML is shown as text."),
    )
    contact_allowed = models.BooleanField(
        _("client may contact the helpdesk from here"),
        default=True,
    )
    topic = models.ForeignKey(
        "helpdesk.Topic",
        verbose_name=_("case topic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("For outcomes: the topic of a case filed from here."),
    )
    response_class = models.CharField(
        _("response class"),
        max_length=20,
        choices=ResponseClass.choices,
        default=ResponseClass.STANDARD,
        help_text=_("For outcomes: the response target of a case filed from here."),
    )

    class Meta:
        ordering = ["tree", "id"]
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="outcome") | ~Q(text_en=""),
                name="question_has_text",
                violation_error_message=_("A question needs its text."),
            ),
            models.CheckConstraint(
                condition=Q(kind="question") | ~Q(title_en=""),
                name="outcome_has_title",
                violation_error_message=_("An outcome needs a title."),
            ),
        ]

    def __str__(self):
        label = self.name or (self.text if self.is_question else self.title)
        return f"{label} (#{self.pk})" if self.pk else label

    def get_absolute_url(self):
        """The page clients see for this node, by the shortest path to it; None if none leads there."""
        from ..selectors import step_url, tree_graph

        graph = tree_graph(self.tree)
        answers = graph.path_to(graph.start_id, self.pk)
        return None if answers is None else step_url(self.tree, answers)

    @property
    def is_question(self):
        return self.kind == self.Kind.QUESTION

    text = Translated()
    hint = Translated()
    title = Translated()
    guidance = Translated()


class Choice(models.Model):
    """An answer to a question, leading to the next node."""

    question = models.ForeignKey(
        Node,
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="choices",
        limit_choices_to={"kind": Node.Kind.QUESTION},
    )
    label_en, label_fr = bilingual(models.CharField, _("label"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        help_text=_('Stands for this answer in the page address; keep it once published. Example: "non-resident"'),
    )
    slug_fr = models.SlugField(
        _("French slug"),
        max_length=80,
        blank=True,
        help_text=_('Stands for this answer in the French address; keep it once published. Example: "importateur"'),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    target = models.ForeignKey(
        Node,
        verbose_name=_("leads to"),
        on_delete=models.PROTECT,
        related_name="incoming",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "slug"],
                name="choice_slug_unique_per_question",
                violation_error_message=_("Two choices of one question cannot have the same slug."),
            ),
            models.UniqueConstraint(
                fields=["question", "slug_fr"],
                condition=~Q(slug_fr=""),
                name="choice_slug_fr_unique_per_question",
                violation_error_message=_("Two choices of one question cannot have the same French slug."),
            ),
        ]

    label = Translated()

    def __str__(self):
        return self.label
