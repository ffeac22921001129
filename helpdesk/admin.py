"""The helpdesk's settings in the admin: the topics clients choose from and the days it is closed."""

from datetime import timedelta

from django.contrib import admin
from django.utils import timezone

from carmsupport.admin_input import StaffModelAdmin
from carmsupport.bilingual import columns, current_language

from .calendar import designated_holidays
from .models import ClosureDay, Topic


@admin.register(Topic)
class TopicAdmin(StaffModelAdmin):
    list_display = [*columns("name"), "slug", "response_class", "position"]
    list_editable = ["position"]
    search_fields = [*columns("name"), "slug"]
    fields = [columns("name"), "slug", "response_class", "position"]


@admin.register(ClosureDay)
class ClosureDayAdmin(StaffModelAdmin):
    list_display = ["date", *columns("reason")]
    fields = ["date", columns("reason")]
    date_hierarchy = "date"
    change_list_template = "admin/helpdesk/closureday/change_list.html"

    def changelist_view(self, request, extra_context=None):
        today = timezone.localdate()
        coming = [
            (day, name)
            for year in (today.year, today.year + 1)
            for day, name in designated_holidays(year, current_language())
            if today <= day <= today + timedelta(days=365)
        ]
        return super().changelist_view(request, {**(extra_context or {}), "designated_holidays": coming})
