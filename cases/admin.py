"""Staff review cases: find, assign, answer and close them; the workload of open cases.

The case list shows open cases by default, the next reply due first (admin_filters); times are
shown in Eastern time with the zone written, and lateness in words (admin_display). The topics,
closure days, canned responses and outgoing emails are in admin_helpdesk.
"""

from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import F
from django.template.defaultfilters import linebreaksbr
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from carmsupport.admin_input import StaffModelAdmin

from . import admin_helpdesk, staff_views  # noqa: F401  (admin_helpdesk registers its models)
from .admin_display import all_closure_days, eastern, eastern_field, overdue_marker
from .admin_filters import AgeFilter, AssignedFilter, DueFilter, OverdueFilter, StatusFilter
from .admin_workload import list_views, workload_view
from .conversation import case_record_response, case_revoke_links
from .exports import cases_csv
from .models import VIEW_CASES, Case, CaseAccess, CaseEvent, CaseNote
from .references import InvalidReference, compact, normalise
from .selectors import service_standard
from .services import CaseRuleError, case_add_note, case_change, check_transition

# A member of staff who opens a case again within this time is not recorded again.
ACCESS_RECORDED_EVERY = timedelta(hours=1)


def record_access(case, user, now=None):
    """Record that `user` opened `case`, unless they already had in the last hour (one indexed query,
    on the case's accesses by time, then an insert at most)."""
    now = now or timezone.now()
    if not CaseAccess.objects.filter(case=case, user=user, at__gt=now - ACCESS_RECORDED_EVERY).exists():
        CaseAccess.objects.create(case=case, user=user, at=now)


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ["status", "assigned_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "assigned_to" in self.fields:
            self.fields["assigned_to"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)

    def clean_status(self):
        status = self.cleaned_data["status"]
        try:
            check_transition(self.instance.status, status)
        except CaseRuleError as error:
            raise forms.ValidationError(str(error)) from None
        return status


class RecordInline(admin.TabularInline):
    """Rows of a case's record, shown as they were written: nothing added, changed or deleted here."""

    extra = 0
    can_delete = False
    written_by = None  # the user field, read with each row

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_CASES)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.written_by)


class NoteInline(RecordInline):
    model = CaseNote
    fields = ["written", "author", "text"]
    written_by = "author"
    verbose_name_plural = _("internal notes")
    written = eastern_field("created_at", CaseNote)


class NewNoteInline(admin.StackedInline):
    """A box for a new internal note."""

    model = CaseNote
    fields = ["text"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = _("new internal note")
    verbose_name_plural = _("add an internal note")
    editable_part = True  # shown with the status and assignee, before the save buttons

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(RecordInline):
    model = CaseEvent
    fields = ["when", "actor", "what"]
    written_by = "actor"
    verbose_name_plural = _("audit trail")
    when = eastern_field("at", CaseEvent)

    @admin.display(description=_("what"))
    def what(self, event):
        return event.description


@admin.register(Case)
class CaseAdmin(StaffModelAdmin):
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
        "follows",
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
                    "telephone",
                    "language",
                    "preferred_language",
                    "business_name",
                    "business_number",
                    "anonymised",
                ],
            },
        ),
        (_("Status and assignment"), {"fields": ["status", "assigned_to"]}),
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
        (_("Resolved and closed"), {"classes": ["case-record"], "fields": ["resolved", "closed"]}),
    ]

    received = eastern_field("received_at")
    first_response_due = eastern_field("due_at", description=_("first response due"))
    first_response = eastern_field("first_response_at")
    acknowledged = eastern_field("acknowledged_at")
    resolved = eastern_field("resolved_at")
    closed = eastern_field("closed_at")
    anonymised = eastern_field("anonymised_at")

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

    def get_list_display(self, request):
        """The overdue column reads the closure days once for the whole page, not once a row."""
        closure_days = []

        @admin.display(description=_("overdue"), ordering=F("reply_due_at").asc(nulls_last=True))
        def overdue(case):
            if not case.is_overdue:
                return ""
            if not closure_days:
                closure_days.append(all_closure_days())
            return overdue_marker(case, closure_days[0])

        return [overdue if name == "overdue" else name for name in super().get_list_display(request)]

    @admin.display(description=_("reference"), ordering="reference")
    def display_reference(self, case):
        return case.display_reference

    @admin.display(description=_("overdue"))
    def overdue(self, case):
        return overdue_marker(case, all_closure_days()) if case.is_overdue else ""

    @admin.display(description=_("next reply due"), ordering=F("reply_due_at").asc(nulls_last=True))
    def due(self, case):
        return eastern(case.reply_due_at)

    @admin.display(description=_("next reply due"))
    def next_reply(self, case):
        if case.reply_due_at is None:
            return _("Nothing waits for a reply.")
        marker = self.overdue(case)
        return format_html("{} {}", eastern(case.reply_due_at), marker) if marker else eastern(case.reply_due_at)

    @admin.display(description=Case._meta.get_field("acknowledgment_withheld").verbose_name)
    def withheld(self, case):
        """In words, not the admin's icon alone."""
        return _("Yes: the address had had its daily number already") if case.acknowledgment_withheld else _("No")

    @admin.display(description=_("target met"))
    def service_standard(self, case):
        met = case.met_standard
        if met is None:
            if case.is_overdue:
                return format_html('<strong class="case-overdue">{}</strong>', _("Overdue: no first response yet"))
            return _("Not yet: no first response")
        return _("Yes: first response by its target") if met else _("No: first response after its target")

    # What the client read and wrote is in the case's language (that of its pages), marked so, for
    # screen readers to speak it in that language whatever the page's.

    @admin.display(description=Case._meta.get_field("outcome_title").verbose_name)
    def guidance_reached(self, case):
        if not case.outcome_title:
            return self.get_empty_value_display()
        return format_html('<span lang="{}">{}</span>', case.language, case.outcome_title)

    @admin.display(description=_("answers in the help tool"))
    def help_tool_answers(self, case):
        if not case.path:
            return _("Sent from the contact page, not from the help tool.")
        return format_html(
            '<dl lang="{}">{}</dl>',
            case.language,
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((step["question"], step["answer"]) for step in case.path)),
        )

    @admin.display(description=_("description"))
    def description_text(self, case):
        return format_html('<div lang="{}">{}</div>', case.language, linebreaksbr(case.description, autoescape=True))

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "service_standard": service_standard(), "case_views": list_views(request)}
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Record who opened which case (once an hour each); show its conversation and the reply box."""
        case = Case.objects.select_related("topic").filter(pk=object_id).first() if object_id.isdigit() else None
        if case is not None and self.has_view_or_change_permission(request, case):
            record_access(case, request.user)
            extra_context = {
                **(extra_context or {}),
                "thread": staff_views.thread(case),
                "outgoing_emails": list(case.emails.all()),
                "reply_form": (
                    staff_views.StaffReplyForm(case=case)
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
                "<path:object_id>/reply/",
                self.admin_site.admin_view(partial(staff_views.reply_view, self)),
                name="cases_case_reply",
            ),
            path(
                "<path:object_id>/files/<int:pk>/",
                self.admin_site.admin_view(partial(staff_views.file_view, self)),
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
            assigned_to=assigned,
            unassign=assigned is None,
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

    @admin.action(description=_("Assign the selected cases to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = sum(bool(case_change(case, actor=request.user, assigned_to=request.user)) for case in queryset)
        self.message_user(request, _("%(count)d case(s) assigned to you.") % {"count": changed}, messages.SUCCESS)

    def _record_response(self, request, queryset, channel):
        recorded = sum(case_record_response(case, actor=request.user, channel=channel) for case in queryset)
        self.message_user(request, _("Response recorded on %(count)d case(s).") % {"count": recorded}, messages.SUCCESS)

    @admin.action(description=_("Record a response given by telephone"), permissions=["change"])
    def record_telephone_response(self, request, queryset):
        self._record_response(request, queryset, Case.Channel.TELEPHONE)

    @admin.action(description=_("Record a response emailed outside the case"), permissions=["change"])
    def record_email_response(self, request, queryset):
        self._record_response(request, queryset, Case.Channel.EMAIL)

    @admin.action(description=_("Revoke the client's conversation links"), permissions=["change"])
    def revoke_links(self, request, queryset):
        for case in queryset.filter(anonymised_at__isnull=True):
            case_revoke_links(case, actor=request.user)
        self.message_user(
            request,
            _("Conversation links revoked: the next email to each client carries a new one."),
            messages.SUCCESS,
        )

    @admin.action(description=_("Export the selected cases as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return cases_csv(queryset.select_related("topic", "assigned_to"))
