"""Staff edit the helpdesk's topics."""

from django.contrib import admin

from .models import Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name_en", "slug", "response_class", "position"]
    list_editable = ["position"]
    search_fields = ["name_en", "slug"]
