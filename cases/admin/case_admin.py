"""The case list and a case's page: find, assign, answer and close cases.

The case list shows open cases by default, the next reply due first (`filters`); its columns and
the page's fields are in `case_columns`, the actions on several cases in `case_actions`, the
status form and the record's inlines in `case_form`, the reply and files pages in `case_pages`, the
merge page in `case_merge`.
"""

from functools import partial

from django.contrib import admin, messages
from django.db.models import F
from django.urls import path
from django.utils.translation import gettext_lazy as _

from carmsupport.admin_input import StaffModelAdmin
from carmsupport.middleware import runs_again_safely

from ..intake.references import InvalidReference, compact, normalise
from ..models import Case, CaseNote
from ..selectors import service_standard
from ..services import CaseRuleError, case_add_note, case_change
from . import case_pages
from .case_actions import CaseActions
from .case_columns import CaseColumns
from .case_form import CaseForm, EventInline, NewNoteInline, NoteInline
from .case_merge import CaseMerging
from .display import eastern
from .filters import AgeFilter, AssignedFilter, DueFilter, OverdueFilter, StatusFilter, TeamFilter
from .received import CaseEmailsHeld
from .workload import list_views, take_next_view, workload_view


@admin.register(Case)
class CaseAdmin(CaseColumns, CaseActions, CaseMerging, CaseEmailsHeld, StaffModelAdmin):
    form = CaseForm
    # Fits 1280 pixels beside the filters; the response class is a filter, not a column.
    list_display = [
        "display_reference",
        "received",
        "topic",
        "status",
        "due",
        "overdue",
        "assigned_to",
        "language",
    ]
    list_filter = [
        StatusFilter,
        OverdueFilter,
        DueFilter,
        AssignedFilter,
        TeamFilter,
        AgeFilter,
        "topic",
        "response_class",
        "language",
    ]
    list_select_related = ["topic", "assigned_to"]
    # The next reply due first, cases with none waiting last; then the first response's target.
    ordering = [F("reply_due_at").asc(nulls_last=True), "due_at"]
    search_fields = ["email", "full_name", "business_number"]
    date_hierarchy = "received_at"
    empty_value_display = "—"
    # Counting every filter's choices, or all cases, costs a scan each on a large table.
    show_facets = admin.ShowFacets.ALLOW
    show_full_result_count = False
    inlines = [NoteInline, NewNoteInline, EventInline]
    actions = ["assign_to_me", "record_telephone_response", "record_email_response", "revoke_links", "export_csv"]
    readonly_fields = [
        "display_reference",
        "received",
        "first_response_due",
        "service_standard",
        "topic",
        "response_class",
        "guidance_reached",
        "help_tool_answers",
        "release",
        "full_name",
        "email",
        "email_bounced",
        "telephone",
        "business_name",
        "business_number",
        "language",
        "preferred_language",
        "description_text",
        "first_response",
        "first_response_by",
        "first_response_channel",
        "next_reply",
        "resolved",
        "client_answer",
        "client_comment",
        "follows",
        "merged_into",
        "merged_cases",
        "emails_held",
        "acknowledged",
        "acknowledgment_error",
        "withheld",
        "closed",
        "anonymised",
    ]
    # The page reads top to bottom: the request (the "case-request" fieldsets, above the conversation),
    # the conversation, then the record: status and assignee, the service standard, the dates
    # ("case-record"), the audit trail and who opened the case (templates/admin/cases/case/).
    fieldsets = [
        (
            _("Request"),
            {
                "classes": ["case-request"],
                "fields": [
                    "display_reference",
                    "topic",
                    "response_class",
                    "guidance_reached",
                    "help_tool_answers",
                    "release",
                    "follows",
                    "merged_into",
                    "merged_cases",
                    "emails_held",
                    "description_text",
                ],
            },
        ),
        (
            _("Client"),
            {
                "classes": ["case-request"],
                "fields": [
                    "full_name",
                    "email",
                    "email_bounced",
                    "telephone",
                    "language",
                    "preferred_language",
                    "business_name",
                    "business_number",
                    "anonymised",
                ],
            },
        ),
        (_("Status and assignment"), {"fields": ["team", "status", "assigned_to", "reason"]}),
        (
            _("Service standard"),
            {
                "classes": ["case-record"],
                "fields": [
                    "received",
                    "first_response_due",
                    "first_response",
                    "first_response_by",
                    "first_response_channel",
                    "service_standard",
                    "next_reply",
                    "acknowledged",
                    "acknowledgment_error",
                    "withheld",
                ],
            },
        ),
        (
            _("Resolved and closed"),
            {"classes": ["case-record"], "fields": ["resolved", "client_answer", "client_comment", "closed"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # cases come from the contact form

    def has_delete_permission(self, request, obj=None):
        return False  # the record of a request is kept

    def get_inlines(self, request, obj):
        # No box for a new note once personal data is removed, as case_add_note refuses one; a note sent
        # from a page opened before is still read, so that its refusal is shown.
        if obj is not None and obj.anonymised_at is not None and request.method != "POST":
            return [NoteInline, EventInline]
        return self.inlines

    def changelist_view(self, request, extra_context=None):
        context = {
            **(extra_context or {}),
            "service_standard": service_standard(),
            "case_views": list_views(request),
            "may_take_next": self.has_change_permission(request),
        }
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Record who opened which case (once an hour each); show its conversation and the reply box."""
        case = Case.objects.select_related("topic").filter(pk=object_id).first() if object_id.isdigit() else None
        if case is not None and self.has_view_or_change_permission(request, case):
            case_pages.record_access(case, request.user)
            extra_context = {
                **(extra_context or {}),
                "thread": case_pages.thread(case),
                "outgoing_emails": list(case.emails.all()),
                "reply_form": (
                    case_pages.StaffReplyForm(case=case)
                    if self.has_change_permission(request, case)
                    and case.status != Case.Status.CLOSED
                    and case.anonymised_at is None
                    else None
                ),
                "accesses": [
                    {"at": eastern(access.at), "who": access.user.get_username() if access.user else "?"}
                    for access in case.accesses.select_related("user")[:10]
                ],
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        own = [
            path(
                "workload/",
                self.admin_site.admin_view(partial(workload_view, self)),
                name="cases_case_workload",
            ),
            path(
                "take-next/",
                self.admin_site.admin_view(partial(take_next_view, self)),
                name="cases_case_take_next",
            ),
            path(
                "<path:object_id>/reply/",
                # Sent again with the same token, the form writes one reply, or finds the one saved.
                runs_again_safely(self.admin_site.admin_view(partial(case_pages.reply_view, self))),
                name="cases_case_reply",
            ),
            path(
                "<path:object_id>/files/<int:pk>/",
                self.admin_site.admin_view(partial(case_pages.file_view, self)),
                name="cases_case_file",
            ),
        ]
        return own + super().get_urls()

    def get_search_results(self, request, queryset, search_term):
        """A whole reference, typed any way, is looked up by itself; part of one is searched too."""
        try:
            return queryset.filter(reference=normalise(search_term)), False
        except InvalidReference:
            pass
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        part = compact(search_term)
        if len(part) >= 3:
            results |= queryset.filter(reference__contains=part)
        return results, may_have_duplicates

    def save_model(self, request, obj, form, change):
        stored = Case.objects.get(pk=obj.pk)
        assigned = form.cleaned_data.get("assigned_to")
        case_change(
            stored,
            actor=request.user,
            status=form.cleaned_data.get("status"),
            team=form.cleaned_data.get("team"),
            assigned_to=assigned,
            unassign=assigned is None,
            reason=form.cleaned_data.get("reason", ""),
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not CaseNote:
            return super().save_formset(request, form, formset, change)
        for note in formset.save(commit=False):
            if note.pk is None and note.text.strip():
                try:
                    case_add_note(form.instance, author=request.user, text=note.text)
                except CaseRuleError as error:  # anonymised while the page was open
                    self.message_user(request, str(error), messages.ERROR)
        return None
