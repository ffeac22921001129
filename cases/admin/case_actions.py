"""What staff can do to several cases at once from the case list."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from ..conversation.services import case_record_response, case_revoke_links
from ..models import Case
from ..services import case_change
from .exports import cases_csv


class CaseActions:
    """Actions of CaseAdmin."""

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
