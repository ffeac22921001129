"""Public pages: the contact form, its confirmation, and the request status lookup."""

import hashlib
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import current_language
from carmsupport.middleware import database_unavailable, runs_again_safely, service_unavailable
from carmsupport.page_cache import CSRF_PLACEHOLDER, kept_page
from carmsupport.ratelimits import form_as_typed, limit_posts
from carmsupport.request_limits import accepts_attachments
from helpdesk.models import Topic
from triage.analytics import count_contact_start

from ..conversation.links import STATUS_SESSION_KEY
from ..merging import continuing
from ..models import Case
from ..tokens import issue_token, renew_expired_token, token_or_new
from .forms import HONEYPOT, ContactForm, StatusLookupForm
from .help_paths import InvalidOrigin, PathTaken, named_help_path
from .submission import case_submit

SESSION_KEY = "submitted_case"
# Stands in a kept form page for the form's one-time token.
TOKEN_PLACEHOLDER = "form-token-of-the-visitor-8c2d"  # noqa: S105  (not a secret: replaced)
logger = logging.getLogger(__name__)


@runs_again_safely  # sent again with the same token, the form files one case, or finds the one saved
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@accepts_attachments
@limit_posts("contact", keep_form=True)
def contact(request):
    try:
        origin = named_help_path(request.GET)
    except InvalidOrigin:
        return render(request, "cases/contact_unavailable.html", status=400)
    ask_topic = origin is None or origin.outcome.topic_id is None

    def as_typed(typed):
        typed.pop(HONEYPOT, None)
        typed["token"] = token_or_new(typed.get("token", ""))
        return _form_context(ContactForm(ask_topic=ask_topic, initial=typed), origin)

    page = form_as_typed(request, "cases/contact.html", as_typed)
    if page is not None:
        return page
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            # Filled in by a robot, which is not told so.
            return render(request, "cases/received_without_reference.html")
        form = ContactForm(request.POST, request.FILES, ask_topic=ask_topic)
        if form.is_valid():
            case = None
            try:
                case = _submit(form, origin)
                request.session[SESSION_KEY] = case.reference
                request.session.save()
            except (OperationalError, InterfaceError) as error:
                # Sent again with the same token, the form files one case (or finds the one saved).
                request.session.modified = False  # nothing more is written while the database is away
                if case is None:
                    logger.error("Case not saved, database unavailable: %s", type(error).__name__)
                else:
                    logger.error(
                        "Case %s saved, not confirmed, database unavailable: %s", case.pk, type(error).__name__
                    )
                database_unavailable(request, error)  # the middleware may send it again, as the client would
                context = _form_context(form, origin, unavailable=True, unconfirmed=case is not None)
                return service_unavailable(request, "cases/contact.html", context)
            return redirect("cases:confirmation")
        renew_expired_token(form)
    else:
        if origin is not None:
            count_contact_start(request, origin.tree, origin.outcome.id)
        return _blank_form(request, origin, ask_topic)
    files_dropped = request.method == "POST" and bool(request.FILES)
    return render(request, "cases/contact.html", _form_context(form, origin, files_dropped=files_dropped))


def _blank_form(request, origin, ask_topic):
    """The form as first shown: the same for everyone but its tokens, so it is rendered once for the
    help-tool path's tree revision, or for the topics offered."""
    if origin is not None:
        revision = origin.tree.revision
    else:
        topics = Topic.objects.values_list("pk", "position", "name_en", "name_fr")
        revision = "topics:" + hashlib.sha256(repr(list(topics)).encode()).hexdigest()

    def render_page():
        initial = {"token": TOKEN_PLACEHOLDER, "preferred_language": current_language()}
        form = ContactForm(ask_topic=ask_topic, initial=initial)
        context = _form_context(form, origin, csrf_placeholder=CSRF_PLACEHOLDER)
        return render(request, "cases/contact.html", context)

    return kept_page(request, revision, render_page, fills={TOKEN_PLACEHOLDER: issue_token})


def _form_context(form, origin, **extra):
    """What the contact page shows around the form, the privacy notice's facts included."""
    privacy = {
        "retention_years": max(1, round(settings.CASE_RETENTION_DAYS / 365)),
        "bank": settings.PRIVACY_INFORMATION_BANK,
    }
    return {"form": form, "origin": origin, "privacy": privacy, **extra}


@require_safe
@never_cache
def confirmation(request):
    case = _case_in_session(request, SESSION_KEY)
    if case is None:
        return render(request, "cases/confirmation_missing.html", status=404)
    return render(request, "cases/confirmation.html", {"case": case})


@runs_again_safely  # a lookup only reads
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@limit_posts("status", keep_form=True)
def status(request):
    """Show where a request stands to whoever has its reference and email address.

    Both are in every email's subject and To line, so they show the status only: the conversation
    opens with an emailed link alone (cases.conversation.links). The request found is kept in the session
    and shown at its own address (post/redirect/get).
    """
    if request.method != "POST":
        return render(request, "cases/status.html", {"form": StatusLookupForm()})
    page = form_as_typed(request, "cases/status.html", lambda typed: {"form": StatusLookupForm(initial=typed)})
    if page is not None:
        return page
    form = StatusLookupForm(request.POST)
    if form.is_valid():
        # A reference that fails its check character is never looked up, but the same
        # query runs with an impossible one, so that every miss takes as long.
        reference = form.reference_or_none() or ""
        case = (
            Case.objects.select_related("topic")
            .filter(reference=reference, email__iexact=form.cleaned_data["email"])
            .first()
        )
        if case is not None:
            request.session[STATUS_SESSION_KEY] = case.reference
            return redirect("cases:status_result")
        # One answer for an unknown reference, a mistyped one and a wrong email address.
        form.add_error(
            None,
            _("We could not find a request with this reference number and email address. Check both and try again."),
        )
    return render(request, "cases/status.html", {"form": form})


@require_safe
@never_cache
def status_result(request):
    """The request found by this browser's last status lookup, in the page's language; for a request
    merged into another, the one that continues it, saying so."""
    found = _case_in_session(request, STATUS_SESSION_KEY)
    if found is None:
        return redirect("cases:status")
    case = continuing(found)
    context = {"case": case, "joined_from": found if case != found else None}
    return render(request, "cases/status_result.html", context)


def _case_in_session(request, key):
    """The case whose reference this browser's session keeps under `key`, or None."""
    reference = request.session.get(key)
    if not reference:
        return None
    return Case.objects.select_related("topic", "merged_into__topic").filter(reference=reference).first()


def _submit(form, origin):
    chosen = form.cleaned_data.get("topic")
    case, _created = case_submit(
        contact=form.contact_details(),
        path_taken=PathTaken.straight(chosen) if origin is None else PathTaken.of_help_path(origin, chosen),
        submission_token=form.cleaned_data["token"],
        attachments=form.cleaned_data["attachments"],
    )
    return case
