"""The parts of a case's admin page: the status and assignee form, and its notes and audit trail."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..models import VIEW_CASES, Case, CaseEvent, CaseNote
from ..services import CaseRuleError, check_transition
from .display import eastern_field


class CaseForm(forms.ModelForm):
    # Kept in the audit trail with the change of assignee (cases.services.case_change), not on the case.
    reason = forms.CharField(
        label=_("Reason for the change of assignee"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text=_("Optional. Kept in the audit trail when you change who the case is assigned to."),
    )

    class Meta:
        model = Case
        fields = ["team", "status", "assigned_to"]
        # Saved by cases.services.case_change, which records a move and tells the new team.
        help_texts = {"team": _("Move the case to another team: its members are told of it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "team" in self.fields:
            # A case stays in a team once in one: moved to another, never out of all.
            self.fields["team"].required = self.instance.team_id is not None
        if "assigned_to" in self.fields:
            self.fields["assigned_to"].queryset = get_user_model().objects.filter(is_staff=True, is_active=True)

    def clean(self):
        """A reason goes with a change of assignee: given without one, it would be lost, so it is refused."""
        cleaned = super().clean()
        assigned = cleaned.get("assigned_to")
        unchanged = (
            "assigned_to" not in self.errors and (assigned.pk if assigned else None) == self.instance.assigned_to_id
        )
        if cleaned.get("reason", "").strip() and unchanged:
            self.add_error(
                "reason",
                _("The assignee is the same: change it to give a reason, or leave the reason empty."),
            )
        return cleaned

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
