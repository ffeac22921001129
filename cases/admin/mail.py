"""The helpdesk's replies and mail in the admin: canned responses and outgoing emails."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from carmsupport.admin_input import StaffModelAdmin
from carmsupport.bilingual import columns

from ..conversation.canned import PLACEHOLDERS, unknown_placeholders
from ..models import CHANGE_CASES, CannedResponse, OutboundEmail
from ..outbox.queue import retry


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
class CannedResponseAdmin(StaffModelAdmin):
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
class OutboundEmailAdmin(StaffModelAdmin):
    """What became of each email to a client (or warning to a member of staff, its recipient); failed,
    and unconfirmed ones can be sent again."""

    list_display = ["case", "kind", "status", "attempts", "created_at", "sent_at", "next_attempt_at", "last_error"]
    list_filter = ["status", "kind"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    actions = ["send_again"]
    readonly_fields = [*list_display, "recipient", "internet_message_id", "sender", "handed_over_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm(CHANGE_CASES)

    @admin.action(description=_("Send the selected failed emails again"), permissions=["resend"])
    def send_again(self, request, queryset):
        queued = sum(
            bool(retry(email))
            for email in queryset.filter(status__in=[OutboundEmail.Status.FAILED, OutboundEmail.Status.UNCONFIRMED])
        )
        self.message_user(request, _("%(count)d email(s) queued again.") % {"count": queued}, messages.SUCCESS)
