"""The client's conversation page: the replies to a request, the client's follow-ups, and their files.

A client reaches it through the link in an email or through the status lookup; either leaves the
case's reference and conversation key in the session, and the page itself has no secret in its
address. The key is checked on every request, so a revoked link or an anonymised case locks the
page at once.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import LANGUAGE_SWITCH, current_language
from carmsupport.ratelimits import limit_posts, too_many_requests
from carmsupport.request_limits import accepts_attachments

from .attachments import attachment_response
from .conversation import case_follow_up
from .forms import FollowUpForm
from .models import Attachment, Case
from .services import CaseRuleError
from .tokens import InvalidToken, conversation_case

SESSION_KEY = "conversation"
logger = logging.getLogger(__name__)


def open_conversation(request, case: Case) -> None:
    """Let this browser's session read and answer the case's conversation."""
    request.session[SESSION_KEY] = {"reference": case.reference, "key": case.conversation_key}


def _case_in_session(request):
    """The case this session may read, or None: its key must still be the case's."""
    kept = request.session.get(SESSION_KEY) or {}
    if not kept.get("key"):
        return None
    return (
        Case.objects.select_related("topic")
        .filter(reference=kept.get("reference"), conversation_key=kept["key"], anonymised_at__isnull=True)
        .first()
    )


def _unreferred(response):
    """For the link's own address, which holds its secret: never sent on as a Referer.

    Not on the conversation page: with no-referrer, browsers send its forms with `Origin: null`,
    which the CSRF check refuses; the page's address holds no secret. (Every view here is
    never_cache: no response of the conversation is stored anywhere.)
    """
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
@never_cache
def conversation_open(request, token):
    """The link in an email: opens the conversation in this session and leaves the token's address."""
    try:
        case = conversation_case(token, settings.CONVERSATION_LINK_DAYS)
    except InvalidToken:
        # One answer for a tampered, expired, revoked or unknown link.
        return _unreferred(render(request, "cases/conversation_link_invalid.html", status=404))
    open_conversation(request, case)
    return _unreferred(redirect("cases:conversation"))


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@accepts_attachments
@limit_posts("follow_up", keep_form=True)
def conversation(request):
    case = _case_in_session(request)
    if case is None:
        return render(request, "cases/conversation_closed.html", status=403)
    form = FollowUpForm()
    files_dropped = bool(request.method == "POST" and request.FILES)
    if request.method == "POST" and (LANGUAGE_SWITCH in request.POST or hasattr(request, "retry_after")):
        # The language toggle, or too many messages: the message as typed; files must be chosen again.
        form = FollowUpForm(initial={"body": request.POST.get("body", "")})
        if hasattr(request, "retry_after"):
            context = _page_context(case, form, files_dropped=files_dropped)
            return too_many_requests(request, request.retry_after, "cases/conversation.html", context)
    elif request.method == "POST":
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            return _send_follow_up(request, case, form)
    else:
        files_dropped = False
    return render(request, "cases/conversation.html", _page_context(case, form, files_dropped=files_dropped))


def _send_follow_up(request, case, form):
    try:
        result = case_follow_up(
            case,
            body=form.cleaned_data["body"],
            language=current_language(),
            files=form.cleaned_data["attachments"],
        )
    except CaseRuleError as error:
        messages.error(request, str(error))
        return redirect("cases:conversation")
    if result.new_case:
        open_conversation(request, result.case)
        messages.success(
            request,
            _(
                "Your earlier request was resolved some time ago, so your message was sent as a new request. "
                "Its reference number is %(reference)s."
            )
            % {"reference": result.case.display_reference},
        )
    elif result.reopened:
        messages.success(request, _("Your message was sent, and your request is open again."))
    else:
        messages.success(request, _("Your message was sent."))
    return redirect("cases:conversation")


def _page_context(case, form, **extra):
    thread = case.messages.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.only("pk", "name", "size", "message_id"))
    )
    request_files = case.attachments.filter(message__isnull=True).only("pk", "name", "size")
    return {
        "case": case,
        "thread": list(thread),
        "request_files": list(request_files),
        "form": form,
        "may_reply": case.anonymised_at is None,
        "reopen_days": settings.REOPEN_BUSINESS_DAYS,
        **extra,
    }


@require_safe
@never_cache
def conversation_file(request, pk):
    """A file of the conversation, to the client whose session opened it."""
    case = _case_in_session(request)
    if case is None:
        raise Http404
    attachment = get_object_or_404(Attachment, pk=pk, case=case)
    return attachment_response(attachment)
