"""Staff review cases: find, assign, answer and close them; edit topics and closure days."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from carmsupport.bilingual import columns, current_language

from .business_days import designated_holidays
from .exports import write_cases
from .models import Case, CaseAccess, CaseEvent, CaseNote, ClosureDay, Topic, overdue
from .references import InvalidReference, compact, normalise
from .selectors import service_standard
from .services import CaseRuleError, case_add_note, case_change, case_record_first_response, check_transition


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
        "due_at",
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
    actions = ["assign_to_me", "record_first_response", "export_csv"]
    readonly_fields = [
        "display_reference",
        "received_at",
        "due_at",
        "service_standard",
        "topic",
        "response_class",
        "outcome_title",
        "help_tool_answers",
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
                    "service_standard",
                    "acknowledged_at",
                    "acknowledgment_error",
                    "acknowledgment_withheld",
                ]
            },
        ),
        (
            _("Request"),
            {"fields": ["topic", "response_class", "outcome_title", "help_tool_answers", "description_text"]},
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
        (_("Access"), {"fields": ["closed_at", "recent_access"]}),
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
        """Record who opened which case, and when."""
        if (
            object_id
            and object_id.isdigit()
            and self.has_view_or_change_permission(request)
            and Case.objects.filter(pk=object_id).exists()
        ):
            CaseAccess.objects.create(case_id=int(object_id), user=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

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

    @admin.action(description=_("Record that the first response was sent"), permissions=["change"])
    def record_first_response(self, request, queryset):
        recorded = sum(case_record_first_response(case, actor=request.user) for case in queryset)
        self.message_user(
            request, _("First response recorded on %(count)d case(s).") % {"count": recorded}, messages.SUCCESS
        )

    @admin.action(description=_("Export the selected cases as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cases.csv"'
        write_cases(response, queryset.select_related("topic", "assigned_to"))
        return response
