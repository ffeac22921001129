"""Merging a case into another of the same client, from the case's page (cases.merging).

The page asks for the reference of the case that continues, shows both cases side by side, and merges
with a POST of its confirmation. Every step works without script; a refusal, or a form changed by
hand, comes back as the page with the reason beside the field, never a server error.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carmsupport.admin_input import key_or_404

from ..intake.references import InvalidReference, normalise
from ..merging import case_merge, check_merge
from ..models import Case
from ..services import CaseRuleError


def case_of_reference(text: str) -> Case:
    """The case whose reference staff typed, or ValidationError saying why there is none."""
    try:
        reference = normalise(text)
    except InvalidReference:
        raise forms.ValidationError(
            _("This is not a case reference. Check it: it reads like CS-7KQ-2M9-XDT.")
        ) from None
    case = Case.objects.select_related("topic").filter(reference=reference).first()
    if case is None:
        raise forms.ValidationError(_("No case has this reference."))
    return case


class MergeForm(forms.Form):
    """The case that continues the one being merged, by its reference."""

    into = forms.CharField(
        label=gettext_lazy("Reference of the case that continues"),
        max_length=40,
        help_text=gettext_lazy(
            "Another case of the same client, such as CS-7KQ-2M9-XDT. This case's request, messages, files, "
            "notes and audit trail move to it, and this case is closed."
        ),
        error_messages={"required": gettext_lazy("Enter the reference of the case that continues.")},
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_into(self):
        into = case_of_reference(self.cleaned_data["into"])
        try:
            check_merge(self.case, into)
        except CaseRuleError as error:
            raise forms.ValidationError(str(error)) from None
        return into


def merge_view(model_admin, request, object_id):
    """Choose the case that continues (GET), see both, and merge (POST); then the case that continues."""
    case = get_object_or_404(Case.objects.select_related("topic", "merged_into"), pk=key_or_404(Case, object_id))
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else (request.GET if "into" in request.GET else None)
    form = MergeForm(data, case=case)
    if request.method == "POST" and form.is_valid():
        into = form.cleaned_data["into"]
        try:
            merged_now = case_merge(case, into, actor=request.user)
        except CaseRuleError as error:  # changed by someone else since the form was read
            form.add_error("into", str(error))
        else:
            names = {"merged": case.display_reference, "into": into.display_reference}
            if merged_now:
                text = _(
                    "Case %(merged)s was merged into %(into)s. The client is emailed the reference that continues."
                )
                model_admin.message_user(request, text % names, messages.SUCCESS)
            else:
                text = _("Case %(merged)s was already merged into %(into)s: nothing changed.")
                model_admin.message_user(request, text % names, messages.INFO)
            return redirect(reverse("admin:cases_case_change", args=[into.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Case._meta,
        "case": case,
        "form": form,
        "into": form.cleaned_data["into"] if form.is_bound and form.is_valid() else None,
        "title": _("Merge case %(reference)s into another case") % {"reference": case.display_reference},
    }
    return TemplateResponse(request, "admin/cases/case/merge.html", context)


class CaseMerging:
    """The merge page of CaseAdmin, and the cases merged into a case, shown on its page (the link to the
    merge page is in templates/admin/cases/case/change_form.html)."""

    def get_urls(self):
        merge = path(
            "<path:object_id>/merge/",
            self.admin_site.admin_view(partial(merge_view, self)),
            name="cases_case_merge",
        )
        return [merge, *super().get_urls()]

    @admin.display(description=gettext_lazy("cases merged into this one"))
    def merged_cases(self, case):
        merged = case.merged_cases.order_by("received_at")
        if not merged:
            return self.get_empty_value_display()
        links = ((reverse("admin:cases_case_change", args=[each.pk]), each.display_reference) for each in merged)
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))
