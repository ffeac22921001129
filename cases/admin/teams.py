"""The helpdesk's teams in the admin, and each member of staff's own away dates and email language."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from carmsupport.admin_input import StaffModelAdmin
from carmsupport.bilingual import columns, current_language

from ..models import StaffProfile, Team


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name_en", "name_fr", "topics", "members", "leads", "round_robin", "is_default"]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "members": forms.CheckboxSelectMultiple,
            "leads": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        for name in ("members", "leads") & self.fields.keys():
            self.fields[name].queryset = staff
            self.fields[name].label_from_instance = lambda user: user.get_full_name() or user.get_username()

    def clean_topics(self):
        """A topic belongs to one team at most: each topic another team owns is named, with its team."""
        topics = self.cleaned_data["topics"]
        owned = (
            Team.topics.through.objects.filter(topic__in=topics)
            .exclude(team_id=self.instance.pk)
            .select_related("topic", "team")
            .order_by("topic__position", "topic_id")
        )
        errors = [
            forms.ValidationError(
                _("“%(topic)s” belongs to the team “%(team)s” already. Take it out of that team first."),
                params={"topic": row.topic.name, "team": row.team.name},
            )
            for row in owned
        ]
        if errors:
            raise forms.ValidationError(errors)
        return topics

    def clean_is_default(self):
        is_default = self.cleaned_data["is_default"]
        if self.instance.pk and not is_default and Team.objects.filter(pk=self.instance.pk, is_default=True).exists():
            raise forms.ValidationError(
                _("Exactly one team is the default: to change it, make another team the default.")
            )
        return is_default

    def clean(self):
        cleaned = super().clean()
        if "members" in cleaned and "leads" in cleaned:
            cleaned["members"] = sorted({*cleaned["members"], *cleaned["leads"]}, key=lambda user: user.pk)
        return cleaned

    def validate_constraints(self):
        """Not the one-default constraint: saving a team as the default takes it from the other (TeamAdmin)."""
        try:
            self.instance.validate_constraints(exclude={*self._get_validation_exclusions(), "is_default"})
        except forms.ValidationError as error:
            self._update_errors(error)


@admin.register(Team)
class TeamAdmin(StaffModelAdmin):
    form = TeamForm
    list_display = [*columns("name"), "owned_topics", "round_robin", "is_default"]
    fields = [columns("name"), "topics", "members", "leads", "round_robin", "is_default"]
    search_fields = columns("name")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def get_ordering(self, request):
        return [f"name_{current_language()}", "pk"]

    @admin.display(description=_("topics"))
    def owned_topics(self, team):
        names = [topic.name for topic in team.topics.all()]
        if names:
            return ", ".join(names)
        return _("The topics no other team owns") if team.is_default else self.get_empty_value_display()

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_default)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # one at a time, so that the default team stays
        return actions

    def save_model(self, request, obj, form, change):
        """A team saved as the default becomes the one default team."""
        with transaction.atomic():
            if obj.is_default:
                Team.objects.filter(is_default=True).exclude(pk=obj.pk).update(is_default=False)
            super().save_model(request, obj, form, change)


class StaffProfileForm(forms.ModelForm):
    class Meta:
        model = StaffProfile
        fields = ["away_from", "away_until", "language", *StaffProfile.notify_fields()]
        widgets = {
            "away_from": forms.DateInput(attrs={"type": "date"}),
            "away_until": forms.DateInput(attrs={"type": "date"}),
        }


@admin.register(StaffProfile)
class StaffProfileAdmin(StaffModelAdmin):
    """Each member of staff sees and changes their own profile; those with the model's permissions,
    everyone's. The list sends the others to their own page, made on their first visit."""

    form = StaffProfileForm
    fieldsets = [
        (None, {"fields": ["member", "away_from", "away_until"]}),
        (
            _("Emails to you"),
            {
                "fields": ["language", *StaffProfile.notify_fields()],
                "description": _(
                    "How you are told of each kind of news about cases: at once, in one email at 7 am "
                    "Eastern on business days, or never. The emails give the case's reference, topic, "
                    "reply target and link, never what the client wrote."
                ),
            },
        ),
    ]
    readonly_fields = ["member"]
    list_display = ["member", "away_from", "away_until", "language"]
    list_select_related = ["user"]

    def _manages(self, request, action):
        return request.user.has_perm(f"cases.{action}_staffprofile")

    def _own(self, request, obj):
        return obj is None or obj.user_id == request.user.pk

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self._manages(request, "view") or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, "change") or (request.user.is_staff and self._own(request, obj))

    def has_add_permission(self, request):
        return False  # made on its member's first visit

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        profiles = super().get_queryset(request).select_related("user")
        return profiles if self._manages(request, "view") else profiles.filter(user=request.user)

    @admin.display(description=_("member of staff"), ordering="user__username")
    def member(self, profile):
        return profile.user.get_full_name() or profile.user.get_username()

    def get_urls(self):
        own = [path("mine/", self.admin_site.admin_view(self.mine_view), name="cases_staffprofile_mine")]
        return own + super().get_urls()

    def mine_view(self, request):
        """The page of my own profile, made if I have none yet."""
        profile, _created = StaffProfile.objects.get_or_create(user=request.user)
        return redirect(reverse("admin:cases_staffprofile_change", args=[profile.pk]))

    def changelist_view(self, request, extra_context=None):
        if not self._manages(request, "view"):
            return self.mine_view(request)
        return super().changelist_view(request, extra_context)
