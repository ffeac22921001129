"""The client's conversation page: the replies to a request, the client's follow-ups, and their files.

Only a link emailed to the case's address opens it: the link in an email, or a fresh one the client
asks for (`conversation_link`). The link shows one button; its POST keeps the case's reference and
conversation key in a new session, so a link fetched by a mail scanner, or loaded by another site,
opens nothing. The page itself has no secret in its address. The key and the link's expiry are
checked on every request, so a revoked link, an expired one or an anonymised case locks the page
at once. The status lookup shows where a request stands and never opens its conversation.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import current_language
from carmsupport.middleware import runs_again_safely
from carmsupport.ratelimits import form_as_typed, limit_posts
from carmsupport.request_limits import accepts_attachments

from ..attachments.files import attachment_response
from ..merging import continuing
from ..models import Attachment, Case
from ..services import CaseRuleError
from ..tokens import InvalidToken, conversation_case, renew_expired_token, token_or_new
from .forms import FollowUpForm
from .services import case_follow_up

SESSION_KEY = "conversation"
logger = logging.getLogger(__name__)


def open_conversation(request, case: Case, until: datetime) -> None:
    """Let this browser read and answer the case's conversation until `until`, in a new session.

    The session gets a new key, so a session cookie planted before the link was opened does not
    inherit the case.
    """
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "reference": case.reference,
        "key": case.conversation_key,
        "until": until.isoformat(),
    }


def _case_in_session(request):
    """The case this session may read, or None: its key must still be the case's, and its link unexpired.

    A case merged into another leads to the one that continues it (same client, cases.merging).
    """
    kept = request.session.get(SESSION_KEY) or {}
    if not kept.get("key"):
        return None
    try:
        if datetime.fromisoformat(kept["until"]) <= timezone.now():
            return None
    except (KeyError, TypeError, ValueError):
        return None
    case = (
        Case.objects.select_related("topic", "merged_into__topic")
        .filter(reference=kept.get("reference"), conversation_key=kept["key"], anonymised_at__isnull=True)
        .first()
    )
    case = continuing(case) if case is not None else None
    return case if case is not None and case.anonymised_at is None else None


def _keeps_its_secret(response, policy="no-referrer"):
    """For the link's own address, which holds its secret: never sent on whole as a Referer.

    The link's page says `strict-origin`, not `no-referrer`: with no-referrer, browsers send its
    form with `Origin: null`, which the CSRF check refuses; strict-origin sends the origin alone.
    (Every view here is never_cache: no response of the conversation is stored anywhere.)
    """
    response["Referrer-Policy"] = policy
    return response


@runs_again_safely  # opened twice, the browser holds the conversation in one new session
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def conversation_open(request, token):
    """The link in an email: a page with one button, whose POST opens the conversation in this browser."""
    try:
        case, until = conversation_case(token, settings.CONVERSATION_LINK_DAYS)
    except InvalidToken:
        # One answer for a tampered, expired, revoked or unknown link.
        return _keeps_its_secret(render(request, "cases/conversation_link_invalid.html", status=404))
    if request.method != "POST":
        return _keeps_its_secret(render(request, "cases/conversation_open.html", {"case": case}), "strict-origin")
    open_conversation(request, case, until)
    return _keeps_its_secret(redirect("cases:conversation"))


@runs_again_safely  # sent again with the same token, a follow-up writes one message, or finds the one saved
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@accepts_attachments
@limit_posts("follow_up", keep_form=True)
def conversation(request):
    case = _case_in_session(request)
    if case is None:
        return render(request, "cases/conversation_closed.html", status=403)

    def as_typed(typed):  # the message as typed; files must be chosen again
        typed["token"] = token_or_new(typed.get("token", ""))
        return _page_context(case, FollowUpForm(initial=typed))

    page = form_as_typed(request, "cases/conversation.html", as_typed)
    if page is not None:
        return page
    form = FollowUpForm()
    files_dropped = bool(request.method == "POST" and request.FILES)
    if request.method == "POST":
        form = FollowUpForm(request.POST, request.FILES)
        if form.is_valid():
            return _send_follow_up(request, case, form)
        renew_expired_token(form)
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
            token=form.cleaned_data["token"],
        )
    except CaseRuleError as error:
        messages.error(request, str(error))
        return redirect("cases:conversation")
    if result.new_case:
        # The new case opens for as long as the link that opened the old one.
        open_conversation(request, result.case, datetime.fromisoformat(request.session[SESSION_KEY]["until"]))
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
