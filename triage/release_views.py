"""Staff pages of a tree's releases beside the admin's own: publish the draft, the history, one
release compared with the one before it, and a rollback."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .comparison import compare
from .exchange import DraftImportError, write_document
from .exchange_import import import_draft
from .integrity import publishing_problems
from .language_lag import lagging_texts
from .models import Release, Tree
from .releases import PublishError, snapshot, tree_publish, tree_roll_back
from .staff_trees import tree_for_staff


class PublishForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What changed"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text=gettext_lazy("Shown in the tree's history, e.g. “EC-2000 added to the error codes”."),
        error_messages={"required": gettext_lazy("Say what changed, for the history.")},
    )
    languages_checked = forms.BooleanField(
        label=gettext_lazy("I checked each of these texts in both languages"),
        required=False,
    )

    def __init__(self, *args, lags=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lags = lags
        if not lags:
            del self.fields["languages_checked"]

    def clean_languages_checked(self):
        if self.lags and not self.cleaned_data.get("languages_checked"):
            raise forms.ValidationError(
                _("Check the texts changed in one language only, then tick the box; or update the other language.")
            )
        return True


def _page(model_admin, request, tree, template, title, **context):
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Tree._meta,
        "original": tree,
        "tree": tree,
        "title": title,
        **context,
    }
    return TemplateResponse(request, f"admin/triage/tree/{template}", context)


def publish_view(model_admin, request, object_id):
    """The draft's differences from what clients see, what keeps it from being published, and the button."""
    tree = tree_for_staff(model_admin, request, object_id, change=True)
    draft = snapshot(tree)
    current = tree.current_release.snapshot if tree.current_release else None
    lags = lagging_texts(current, draft)
    form = PublishForm(request.POST or None, lags=lags)
    problems = publishing_problems(tree)
    if request.method == "POST" and form.is_valid() and not problems:
        try:
            release = tree_publish(tree, by=request.user, note=form.cleaned_data["note"])
        except PublishError as error:
            problems = error.problems
        else:
            model_admin.message_user(
                request,
                _("Release %(number)s is published: clients see it from their next page.") % {"number": release.number},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:triage_tree_releases", args=[tree.pk]))
    title = _("Publish the draft of “%(tree)s”") % {"tree": tree.title}
    return _page(
        model_admin,
        request,
        tree,
        "publish.html",
        title,
        form=form,
        problems=problems,
        lags=lags,
        diff=compare(current, draft),
    )


def history_view(model_admin, request, object_id):
    """Every release of the tree, newest first, each with what it changed."""
    tree = tree_for_staff(model_admin, request, object_id, change=False)
    releases = list(tree.releases.select_related("published_by", "restores").order_by("number"))
    rows, before = [], None
    for release in releases:
        rows.append({"release": release, "summary": compare(before, release.snapshot).summary()})
        before = release.snapshot
    rows.reverse()
    title = _("Releases of “%(tree)s”") % {"tree": tree.title}
    may_change = model_admin.has_change_permission(request, tree)
    return _page(model_admin, request, tree, "history.html", title, rows=rows, may_change=may_change)


def release_view(model_admin, request, object_id, number):
    """One release compared with the one before it, with a text diff in both languages."""
    tree = tree_for_staff(model_admin, request, object_id, change=False)
    release = get_object_or_404(Release.objects.select_related("published_by"), tree=tree, number=number)
    previous = tree.releases.filter(number__lt=number).order_by("-number").first()
    diff = compare(previous.snapshot if previous else None, release.snapshot)
    title = _("Release %(number)s of “%(tree)s”") % {"number": release.number, "tree": tree.title}
    may_change = model_admin.has_change_permission(request, tree)
    context = {"release": release, "previous": previous, "diff": diff, "may_change": may_change}
    return _page(model_admin, request, tree, "release.html", title, **context)


def roll_back_view(model_admin, request, object_id, number):
    """Publish an earlier release again (POST only), as a new release."""
    tree = tree_for_staff(model_admin, request, object_id, change=True)
    release = get_object_or_404(Release, tree=tree, number=number)
    if request.method != "POST":
        return redirect(reverse("admin:triage_tree_release", args=[tree.pk, number]))
    new = tree_roll_back(release, by=request.user)
    model_admin.message_user(
        request,
        _("Release %(old)s is published again as release %(new)s. The draft is unchanged.")
        % {"old": release.number, "new": new.number},
        messages.SUCCESS,
    )
    return redirect(reverse("admin:triage_tree_releases", args=[tree.pk]))


def draft_from_release_view(model_admin, request, object_id, number):
    """Make the draft equal to an earlier release (POST only), e.g. after a rollback; nothing is published."""
    tree = tree_for_staff(model_admin, request, object_id, change=True)
    release = get_object_or_404(Release, tree=tree, number=number)
    if request.method == "POST":
        try:
            import_draft(tree, write_document(release.snapshot))
        except DraftImportError as error:
            for problem in error.problems:
                model_admin.message_user(request, problem, messages.ERROR)
        else:
            model_admin.message_user(
                request,
                _("The draft is now release %(number)s. Preview it, then publish it when it is ready.")
                % {"number": release.number},
                messages.SUCCESS,
            )
    return redirect(reverse("admin:triage_tree_release", args=[tree.pk, number]))
