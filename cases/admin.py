"""Staff review cases: find, assign, answer and close them; edit topics and closure days."""

from datetime import timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carmsupport.bilingual import columns, current_language

from . import staff_views
from .business_days import designated_holidays
from .canned import PLACEHOLDERS, unknown_placeholders
from .conversation import case_record_response, case_revoke_links
from .exports import write_cases
from .models import CannedResponse, Case, CaseAccess, CaseEvent, CaseNote, ClosureDay, OutboundEmail, Topic, overdue
from .outbox import retry
from .references import InvalidReference, compact, normalise
from .selectors import service_standard
from .services import CaseRuleError, case_add_note, case_change, check_transition


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [*columns("name"), "slug", "response_class", "position"]
    list_editable = ["position"]
    search_fields = [*columns("name"), "slug"]
    fields = [columns("name"), "slug", "response_class", "position"]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", *columns("reason")]
    fields = ["date", columns("reason")]
    date_hierarchy = "date"
    change_list_template = "admin/cases/closureday/change_list.html"

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        coming = [
            (day, name)
            for year in (today.year, today.year + 1)
            for day, name in designated_holidays(year, current_language())
            if today <= day <= today + timedelta(days=365)
        ]
        return super().changelist_view(request, {**(extra_context or {}), "designated_holidays": coming})


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue())
        if self.value() == "no":
            return queryset.exclude(overdue())
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("nobody", _("Nobody"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


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
        return request.user.has_perm("cases.view_case")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(self.written_by)


class NoteInline(RecordInline):
    model = CaseNote
    fields = ["created_at", "author", "text"]
    written_by = "author"
    verbose_name_plural = _("internal notes")


class NewNoteInline(admin.StackedInline):
    """A box for a new internal note."""

    model = CaseNote
    fields = ["text"]
    extra = 1
    max_num = 1
    can_delete = False
    verbose_name = _("new internal note")
    verbose_name_plural = _("add an internal note")

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(RecordInline):
    model = CaseEvent
    fields = ["at", "actor", "what"]
    written_by = "actor"
    verbose_name_plural = _("audit trail")

    @admin.display(description=_("what"))
    def what(self, event):
        return event.description


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    form = CaseForm
    list_display = [
        "display_reference",
        "received_at",
        "topic",
        "response_class",
        "status",
        "reply_due_at",
        "overdue",
        "assigned_to",
        "language",
    ]
    list_filter = ["status", "topic", "response_class", "language", OverdueFilter, AssignedFilter]
    list_select_related = ["topic", "assigned_to"]
    search_fields = ["email", "full_name", "business_number"]
    date_hierarchy = "received_at"
    # Counting every filter's choices, or all cases, costs a scan each on a large table.
    show_facets = admin.ShowFacets.ALLOW
    show_full_result_count = False
    inlines = [NoteInline, NewNoteInline, EventInline]
    actions = ["assign_to_me", "record_telephone_response", "record_email_response", "revoke_links", "export_csv"]
    readonly_fields = [
        "display_reference",
        "received_at",
        "due_at",
        "service_standard",
        "topic",
        "response_class",
        "outcome_title",
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
        "first_response_at",
        "first_response_by",
        "first_response_channel",
        "reply_due_at",
        "resolved_at",
        "follows",
        "acknowledged_at",
        "acknowledgment_error",
        "acknowledgment_withheld",
        "closed_at",
        "anonymised_at",
        "recent_access",
    ]
    fieldsets = [
        (None, {"fields": ["display_reference", "status", "assigned_to"]}),
        (
            _("Service standard"),
            {
                "fields": [
                    "received_at",
                    "due_at",
                    "first_response_at",
                    "first_response_by",
                    "first_response_channel",
                    "service_standard",
                    "reply_due_at",
                    "acknowledged_at",
                    "acknowledgment_error",
                    "acknowledgment_withheld",
                ]
            },
        ),
        (
            _("Request"),
            {
                "fields": [
                    "topic",
                    "response_class",
                    "outcome_title",
                    "help_tool_answers",
                    "release",
                    "description_text",
                ]
            },
        ),
        (
            _("Client"),
            {
                "fields": [
                    "full_name",
                    "email",
                    "telephone",
                    "language",
                    "preferred_language",
                    "business_name",
                    "business_number",
                    "anonymised_at",
                ]
            },
        ),
        (_("Access"), {"fields": ["follows", "resolved_at", "closed_at", "recent_access"]}),
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

    @admin.display(description=_("reference"), ordering="reference")
    def display_reference(self, case):
        return case.display_reference

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, case):
        return case.is_overdue

    @admin.display(description=_("target met"))
    def service_standard(self, case):
        met = case.met_standard
        if met is None:
            return _("Overdue: no first response yet") if case.is_overdue else _("No first response yet")
        return _("Yes") if met else _("No")

    @admin.display(description=_("answers in the help tool"))
    def help_tool_answers(self, case):
        if not case.path:
            return _("Sent from the contact page, not from the help tool.")
        return format_html(
            "<dl>{}</dl>",
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((step["question"], step["answer"]) for step in case.path)),
        )

    @admin.display(description=_("description"))
    def description_text(self, case):
        return linebreaksbr(case.description, autoescape=True)

    @admin.display(description=_("opened by staff"))
    def recent_access(self, case):
        accesses = case.accesses.select_related("user")[:10]
        return format_html_join(
            "",
            "<div>{} — {}</div>",
            ((f"{a.at:%Y-%m-%d %H:%M}", a.user.get_username() if a.user else "?") for a in accesses),
        )

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "service_standard": service_standard()}
        return super().changelist_view(request, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Record who opened which case, and when; show its conversation and the reply box."""
        case = Case.objects.select_related("topic").filter(pk=object_id).first() if object_id.isdigit() else None
        if case is not None and self.has_view_or_change_permission(request, case):
            CaseAccess.objects.create(case=case, user=request.user)
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
            }
        response = super().change_view(request, object_id, form_url, extra_context)
        response["Cache-Control"] = "no-store, private"
        return response

    def get_urls(self):
        own = [
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
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases.csv"'
        write_cases(response, queryset.select_related("topic", "assigned_to"))
        return response


class CannedResponseForm(forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title_en", "title_fr", "body_en", "body_fr", "topic", "position"]

    def clean(self):
        cleaned = super().clean()
        for name in ("body_en", "body_fr"):
            unknown = unknown_placeholders(cleaned.get(name, ""))
            if unknown:
                self.add_error(
                    name,
                    ngettext(
                        "Unknown placeholder: %(names)s. Use %(known)s.",
                        "Unknown placeholders: %(names)s. Use %(known)s.",
                        len(unknown),
                    )
                    % {
                        "names": ", ".join(f"{{{name}}}" for name in unknown),
                        "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                    },
                )
        return cleaned


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    form = CannedResponseForm
    list_display = [*columns("title"), "topic", "position"]
    list_filter = ["topic"]
    list_editable = ["position"]
    search_fields = [*columns("title"), *columns("body")]
    fields = [columns("title"), columns("body"), "topic", "position"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        listed = "; ".join(
            _("%(placeholder)s: %(meaning)s") % {"placeholder": f"{{{name}}}", "meaning": meaning}
            for name, meaning in PLACEHOLDERS.items()
        )
        for name in ("body_en", "body_fr"):
            form.base_fields[name].help_text = _("Markdown. Placeholders: %(placeholders)s.") % {"placeholders": listed}
        return form


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """What became of each email to a client; failed ones can be sent again."""

    list_display = ["case", "kind", "status", "attempts", "created_at", "sent_at", "next_attempt_at", "last_error"]
    list_filter = ["status", "kind"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    actions = ["send_again"]
    readonly_fields = list_display

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("cases.change_case")

    @admin.action(description=_("Send the selected failed emails again"), permissions=["resend"])
    def send_again(self, request, queryset):
        queued = sum(
            bool(retry(email))
            for email in queryset.filter(status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.SENDING])
        )
        self.message_user(request, _("%(count)d email(s) queued again.") % {"count": queued}, messages.SUCCESS)
