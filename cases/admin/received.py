"""The emails received (cases.inbound) in the admin: the held and the unmatched for staff to decide on.

A held email (from another address than its case's) is posted on its case once a member of staff
accepts it; an unmatched one is attached to the case whose reference staff give, or filed as a new
case of the topic they choose. Its page shows what
the client newly wrote and, below, the whole message, as text: nothing of its HTML is rendered, and
nothing remote is loaded. Those who may view cases see them; those who may change cases decide.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from carmsupport.admin_input import StaffModelAdmin, key_or_404
from helpdesk.models import Topic
from helpdesk.times import eastern_time

from ..inbound.quoted import written_text
from ..inbound.services import case_accept_held, case_attach_unmatched, case_file_from_unmatched, parse
from ..models import CHANGE_CASES, VIEW_CASES, Case, InboundEmail, OutboundEmail
from .case_merge import case_of_reference

Status = InboundEmail.Status
HELD = [Status.HELD, Status.FLOODED]


class AttachForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference of the case this email is about"),
        max_length=40,
        help_text=gettext_lazy("Such as CS-7KQ-2M9-XDT."),
        error_messages={"required": gettext_lazy("Enter the reference of the case.")},
    )

    def clean_reference(self):
        return case_of_reference(self.cleaned_data["reference"])


class FileForm(forms.Form):
    """A new case from an unmatched email: its topic, and the language to answer the sender in."""

    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic of the new case"),
        queryset=Topic.objects.all(),
        error_messages={"required": gettext_lazy("Choose the topic of the new case.")},
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language to answer in"),
        choices=Case.Language.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the language to answer in.")},
    )


def _text(inbound) -> tuple[str, str]:
    """What the client newly wrote, and the whole message, as text ("" without the raw message); read
    once a page."""
    if not hasattr(inbound, "_text"):
        inbound._text = ("", "")
        if inbound.raw:
            with inbound.raw.open("rb") as stored:
                text = written_text(parse(stored.read()))
            inbound._text = (text.new, text.whole)
    return inbound._text


@admin.register(InboundEmail)
class InboundEmailAdmin(StaffModelAdmin):
    list_display = ["received_at", "status", "case", "matched_by", "sender"]
    list_filter = ["status"]
    list_select_related = ["case"]
    search_fields = ["case__reference"]
    fields = ["received_at", "status", "sender", "subject", "case", "matched_by", "files_refused", "written", "whole"]
    readonly_fields = fields
    change_form_template = "admin/cases/inboundemail/change_form.html"

    def has_module_permission(self, request):
        return request.user.has_perm(VIEW_CASES)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_CASES)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("files refused"))
    def files_refused(self, inbound):
        language = "fr" if get_language() == "fr" else "en"
        rows = ((each["name"], each["reason"][language]) for each in inbound.refused_files)
        return (
            format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {}</li>", rows)) if inbound.refused_files else "—"
        )

    @admin.display(description=gettext_lazy("what the client wrote"))
    def written(self, inbound):
        return linebreaksbr(_text(inbound)[0]) or "—"

    @admin.display(description=gettext_lazy("the whole message, as text"))
    def whole(self, inbound):
        return linebreaksbr(_text(inbound)[1]) or "—"

    def get_urls(self):
        decide = self.admin_site.admin_view(partial(decide_view, self))
        return [path("<path:object_id>/decide/", decide, name="cases_inboundemail_decide"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "attach_form": AttachForm(),
            "file_form": FileForm(prefix="file"),
            "may_decide": _may_decide(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)


def _may_decide(request) -> bool:
    return request.user.has_perm(CHANGE_CASES)


def decide_view(model_admin, request, object_id):
    """Accept a held email (POST "accept"), or attach an unmatched one to a case (POST "reference")."""
    inbound = get_object_or_404(InboundEmail, pk=key_or_404(InboundEmail, object_id))
    if not _may_decide(request):
        raise PermissionDenied
    page = reverse("admin:cases_inboundemail_change", args=[inbound.pk])
    if request.method != "POST":
        return redirect(page)
    if inbound.status in HELD and "accept" in request.POST:
        if case_accept_held(inbound, actor=request.user):
            model_admin.message_user(request, _("The email was posted on the case as the client's."), messages.SUCCESS)
    elif inbound.status == Status.UNMATCHED and "file-topic" in request.POST:
        form = FileForm(request.POST, prefix="file")
        if not form.is_valid():
            request.method = "GET"  # the email's page again, with the choices made and the errors beside them
            return model_admin.change_view(request, object_id, extra_context={"file_form": form})
        case = case_file_from_unmatched(
            inbound, topic=form.cleaned_data["topic"], language=form.cleaned_data["language"], actor=request.user
        )
        if case is not None:
            text = _("Case %(reference)s was filed from the email; its sender is acknowledged.")
            model_admin.message_user(request, text % {"reference": case.display_reference}, messages.SUCCESS)
            return redirect(reverse("admin:cases_case_change", args=[case.pk]))
    elif inbound.status == Status.UNMATCHED:
        form = AttachForm(request.POST)
        if not form.is_valid():
            # The email's page again, read as a GET, with the reference typed and its error beside it.
            request.method = "GET"
            return model_admin.change_view(request, object_id, extra_context={"attach_form": form})
        if case_attach_unmatched(inbound, form.cleaned_data["reference"], actor=request.user):
            model_admin.message_user(request, _("The email was attached to the case."), messages.SUCCESS)
    else:
        model_admin.message_user(request, _("Nothing to decide on this email any more."), messages.INFO)
    return redirect(page)


class CaseEmailsHeld:
    """On a case's page (CaseAdmin): the emails held, from another address, each linking to its page; and
    our emails that the client's address refused (cases.inbound.bounces)."""

    @admin.display(description=gettext_lazy("email bounced"))
    def email_bounced(self, case):
        bounced = case.emails.filter(status=OutboundEmail.Status.BOUNCED).order_by("sent_at", "pk")
        if not bounced:
            return _("No")
        rows = (
            (
                _("%(kind)s, sent %(sent)s: %(reason)s")
                % {
                    "kind": capfirst(each.get_kind_display()),
                    "sent": eastern_time(each.sent_at, html=False) if each.sent_at else "—",
                    "reason": each.last_error,
                },
            )
            for each in bounced
        )
        intro = _("Yes: the client's address refused our email. Check it, or reach the client another way.")
        return format_html("{}<ul>{}</ul>", intro, format_html_join("", "<li>{}</li>", rows))

    @admin.display(description=gettext_lazy("emails from another address"))
    def emails_held(self, case):
        held = case.inbound_emails.filter(status__in=HELD).order_by("received_at")
        if not held:
            return self.get_empty_value_display()
        rows = (
            (reverse("admin:cases_inboundemail_change", args=[each.pk]), each.sender, eastern_time(each.received_at))
            for each in held
        )
        intro = _("Held until you accept them as the client's:")
        return format_html("{}<ul>{}</ul>", intro, format_html_join("", '<li><a href="{}">{}</a>, {}</li>', rows))
