"""Staff edit help trees: trees, and nodes with their choices inline."""

from functools import partial

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from carmsupport.admin_input import StaffModelAdmin
from carmsupport.bilingual import columns

from . import analytics_views, graph_views, release_views
from .integrity import node_shape, problems_after_change, tree_problems, tree_shapes
from .models import Choice, Node, Tree


class ChoiceFormSet(BaseInlineFormSet):
    """Refuses a save that would break the tree: loops, dead ends, unreachable nodes."""

    def clean(self):
        super().clean()
        node = self.instance
        if any(self.errors) or node.tree_id is None:
            return
        choices = [
            (
                form.cleaned_data["slug"],
                form.cleaned_data["target"].pk,
                {column: form.cleaned_data.get(column, "") for column in columns("label")},
            )
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = problems_after_change(node.tree, node.pk, node_shape(node, choices))
        if problems:
            raise forms.ValidationError(problems)


class ChoiceInline(admin.TabularInline):
    model = Choice
    fk_name = "question"
    formset = ChoiceFormSet
    fields = ["position", "label_en", "label_fr", "slug", "slug_fr", "target"]
    autocomplete_fields = ["target"]
    # Each slug made from its language's label while it is typed; keep both once published.
    prepopulated_fields = {"slug": ["label_en"], "slug_fr": ["label_fr"]}
    ordering = ["position", "id"]
    extra = 0


@admin.register(Node)
class NodeAdmin(StaffModelAdmin):
    inlines = [ChoiceInline]
    list_display = ["__str__", "kind", "tree", "used_in", "topic", "response_class", "helpful_yes", "helpful_no"]
    list_filter = ["tree", "kind", "topic", "response_class", "contact_allowed"]
    list_select_related = ["tree", "topic"]
    search_fields = ["name", *columns("text"), *columns("title"), *columns("guidance")]
    show_facets = admin.ShowFacets.ALWAYS
    readonly_fields = ["leads_here"]
    fieldsets = [
        (None, {"fields": ["tree", "kind", "name"]}),
        # Each text's English and French side by side.
        (_("Question"), {"fields": [columns("text"), columns("hint")]}),
        (
            _("Outcome"),
            {"fields": [columns("title"), columns("guidance"), "contact_allowed", "topic", "response_class"]},
        ),
        (_("Where it is used"), {"fields": ["leads_here"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                used_in_count=Count("incoming", distinct=True),
                helpful_yes_count=Count("feedback", filter=Q(feedback__helpful=True), distinct=True),
                helpful_no_count=Count("feedback", filter=Q(feedback__helpful=False), distinct=True),
            )
            .order_by("tree", "id")  # Meta.ordering does not apply to grouped queries
        )

    def get_readonly_fields(self, request, obj=None):
        # A node stays in its tree: moving it would break the paths that lead to it.
        return [*self.readonly_fields, "tree"] if obj else self.readonly_fields

    @admin.display(description=_("used in"), ordering="used_in_count")
    def used_in(self, node):
        return _("%(count)s places") % {"count": node.used_in_count}

    @admin.display(description=_("found helpful"), ordering="helpful_yes_count")
    def helpful_yes(self, node):
        return node.helpful_yes_count

    @admin.display(description=_("not helpful"), ordering="helpful_no_count")
    def helpful_no(self, node):
        return node.helpful_no_count

    @admin.display(description=_("choices that lead here"))
    def leads_here(self, node):
        incoming = Choice.objects.filter(target=node).select_related("question").order_by("question_id", "position")
        if not node.pk or not incoming:
            return _("No choice leads here.")
        rows = format_html_join(
            "",
            '<li><a href="{}">{}</a> → {}</li>',
            (
                (reverse("admin:triage_node_change", args=[choice.question_id]), str(choice.question), choice.label)
                for choice in incoming
            ),
        )
        return format_html("<p>{}</p><ul>{}</ul>", _("Used in %(count)s places:") % {"count": len(incoming)}, rows)

    def view_on_site(self, node):
        return node.get_absolute_url()


class TreeForm(forms.ModelForm):
    class Meta:
        model = Tree
        fields = [*columns("title"), "slug", "slug_fr", *columns("intro"), "start"]

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start")
        if self.instance.pk is None:
            return cleaned
        if start is not None and start.tree_id != self.instance.pk:
            raise forms.ValidationError(_("The first question must belong to this tree."))
        shapes = tree_shapes(self.instance)
        before = set(tree_problems(self.instance.start_id, shapes))
        added = [p for p in tree_problems(start.pk if start else None, shapes) if p not in before]
        if added:
            raise forms.ValidationError(added)
        return cleaned


@admin.register(Tree)
class TreeAdmin(StaffModelAdmin):
    form = TreeForm
    list_display = [*columns("title"), "slug", "slug_fr", "current_release", "start", "changed_at"]
    list_select_related = ["current_release__tree", "start"]
    search_fields = [*columns("title"), "slug", "slug_fr"]
    autocomplete_fields = ["start"]
    prepopulated_fields = {"slug": ["title_en"]}
    fieldsets = [
        (None, {"fields": [columns("title"), ("slug", "slug_fr"), columns("intro"), "start"]}),
    ]

    def get_urls(self):
        def view(function, route, name):
            return path(route, self.admin_site.admin_view(partial(function, self)), name=f"triage_tree_{name}")

        own = [
            view(release_views.publish_view, "<path:object_id>/publish/", "publish"),
            view(release_views.history_view, "<path:object_id>/releases/", "releases"),
            view(release_views.release_view, "<path:object_id>/releases/<int:number>/", "release"),
            view(release_views.roll_back_view, "<path:object_id>/releases/<int:number>/roll-back/", "roll_back"),
            view(release_views.draft_from_release_view, "<path:object_id>/releases/<int:number>/to-draft/", "to_draft"),
            view(graph_views.graph_view, "<path:object_id>/graph/", "graph"),
            view(graph_views.graph_file_view, "<path:object_id>/graph.<str:fmt>", "graph_file"),
            view(analytics_views.analytics_view, "<path:object_id>/analytics/", "analytics"),
        ]
        return own + super().get_urls()
