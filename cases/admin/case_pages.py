"""Staff pages of a case beside the admin's own: the reply to the client and the client's files; and
the record of who opened the case."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carmsupport.admin_input import key_or_404

from ..attachments.files import attachment_response
from ..conversation.canned import filled, offered
from ..conversation.services import REPLY_STATUSES, case_reply
from ..models import Attachment, Case, CaseAccess, CaseNote, InboundEmail, Message
from ..services import CaseRuleError, case_record_download
from ..tokens import FormTokenField, renew_expired_token

REPLY_MAX_LENGTH = 10_000


class StaffReplyForm(forms.Form):
    """A reply to the client: written in Markdown, started from a canned response if wanted."""

    canned = forms.ModelChoiceField(
        label=gettext_lazy("Canned response"),
        queryset=Case.objects.none(),
        required=False,
        empty_label=gettext_lazy("(none)"),
        help_text=gettext_lazy("“Insert” adds its text, filled in for this case, at the end of the reply."),
    )
    body = forms.CharField(
        label=gettext_lazy("Reply to the client"),
        widget=forms.Textarea(attrs={"rows": 12, "cols": 80}),
        max_length=REPLY_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy(
            "Markdown: *emphasis*, **bold**, lists with -, links as [text](https://…). "
            "It is emailed to the client in the reply language and shown on their conversation page."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status after sending"),
        choices=[(status.value, status.label) for status in REPLY_STATUSES],
        initial=Case.Status.WAITING_ON_CLIENT,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the status of the case after this reply.")},
    )
    # Sent again (a double click, the page run again after a database outage), it writes one reply.
    token = FormTokenField()

    def __init__(self, *args, case, **kwargs):
        # Its own ids: on the case page it sits beside the admin's form, which has a status field too.
        super().__init__(*args, auto_id="reply_%s", **kwargs)
        self.fields["canned"].queryset = offered(case)
        self.fields["body"].widget.attrs["lang"] = case.preferred_language  # written in the reply language


def reply_view(model_admin, request, object_id):
    """Write, preview and send a reply; on sending, back to the case page."""
    case = get_object_or_404(Case.objects.select_related("topic"), pk=key_or_404(Case, object_id))
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    form = StaffReplyForm(request.POST or None, case=case)
    preview = None
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        body = form.cleaned_data["body"]
        if action == "insert" and form.cleaned_data["canned"]:
            text = filled(form.cleaned_data["canned"], case)
            data = request.POST.copy()
            data["body"] = f"{body.rstrip()}\n\n{text}" if body.strip() else text
            form = StaffReplyForm(data, case=case)
        elif action == "preview":
            preview = body
        elif action == "send":
            try:
                case_reply(
                    case,
                    author=request.user,
                    body=body,
                    status=form.cleaned_data["status"],
                    token=form.cleaned_data["token"],
                )
            except CaseRuleError as error:
                form.add_error("body" if not body.strip() else None, str(error))
            else:
                model_admin.message_user(
                    request,
                    _("Your reply was saved on the case and its email to the client is queued."),
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:cases_case_change", args=[case.pk]))
    renew_expired_token(form)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Case._meta,
        "case": case,
        "form": form,
        "preview": preview,
        "thread": thread(case),
        "title": _("Reply to the client on case %(reference)s") % {"reference": case.display_reference},
    }
    return TemplateResponse(request, "admin/cases/case/reply.html", context)


def file_view(model_admin, request, object_id, pk):
    """A client's file, to staff who may see the case; each download is recorded on the case."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("case"), pk=key_or_404(Attachment, pk), case_id=key_or_404(Case, object_id)
    )
    if not model_admin.has_view_permission(request, attachment.case):
        raise PermissionDenied
    case_record_download(attachment, actor=request.user)
    return attachment_response(attachment)


def thread(case):
    """The whole conversation as staff read it, oldest first: the request, replies, follow-ups and notes.

    Each entry: {"kind", "label", "at", "author", "body", "language", "markdown", "files", "email_url"};
    four queries in all. `language` is that of the body: the case's for the request, the message's for a
    message, none for a note (staff write it for staff). `email_url`: the page of the email a follow-up
    came in, where staff read the whole message, quoted history included.
    """
    files_by_message = {}
    for attachment in case.attachments.only("pk", "name", "size", "formulas", "message_id"):
        files_by_message.setdefault(attachment.message_id, []).append(attachment)
    emails = dict(InboundEmail.objects.filter(case=case, message__isnull=False).values_list("message_id", "pk"))
    entries = [
        {
            "kind": "request",
            "label": _("Client's request"),
            "at": case.received_at,
            "author": case.full_name,
            "body": case.description,
            "language": case.language,
            "files": files_by_message.get(None, []),
        }
    ]
    for message in case.messages.select_related("author"):
        entries.append(
            {
                "kind": message.kind,
                "label": message.get_kind_display(),
                "at": message.created_at,
                "author": message.author.get_username() if message.author else case.full_name,
                "body": message.body,
                "language": message.language,
                "markdown": message.kind == Message.Kind.REPLY,
                "files": files_by_message.get(message.pk, []),
                "email_url": (
                    reverse("admin:cases_inboundemail_change", args=[emails[message.pk]])
                    if message.pk in emails
                    else ""
                ),
            }
        )
    for note in CaseNote.objects.filter(case=case).select_related("author"):
        entries.append(
            {
                "kind": "note",
                "label": _("Internal note, not shown to the client"),
                "at": note.created_at,
                "author": note.author.get_username() if note.author else "?",
                "body": note.text,
            }
        )
    return sorted(entries, key=lambda entry: entry["at"])


def _email_page(inbound_id) -> str:
    return reverse("admin:cases_inboundemail_change", args=[inbound_id]) if inbound_id else ""


# A member of staff who opens a case again within this time is not recorded again.
ACCESS_RECORDED_EVERY = timedelta(hours=1)


def record_access(case, user, now=None):
    """Record that `user` opened `case`, unless they already had in the last hour (one indexed query,
    on the case's accesses by time, then an insert at most)."""
    now = now or timezone.now()
    if not CaseAccess.objects.filter(case=case, user=user, at__gt=now - ACCESS_RECORDED_EVERY).exists():
        CaseAccess.objects.create(case=case, user=user, at=now)
