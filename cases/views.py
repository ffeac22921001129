"""Public pages: the contact form, its confirmation, and the request status lookup."""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import LANGUAGE_SWITCH, current_language
from carmsupport.middleware import service_unavailable
from carmsupport.page_cache import CSRF_PLACEHOLDER, kept_page
from carmsupport.ratelimits import form_as_typed, limit_posts, shown_as_typed
from carmsupport.request_limits import accepts_attachments
from helpdesk.models import Topic
from triage.analytics import count_contact_start
from triage.models import Tree
from triage.selectors import PathNotFound, answer_slugs, is_slug, published_tree, step_url, tree_graph

from .forms import HONEYPOT, ContactForm, StatusLookupForm
from .link_views import STATUS_SESSION_KEY
from .models import Case
from .services import case_submit
from .tokens import InvalidToken, issue_token, redeem_token

SESSION_KEY = "submitted_case"
# Stands in a kept form page for the form's one-time token.
TOKEN_PLACEHOLDER = "form-token-of-the-visitor-8c2d"  # noqa: S105  (not a secret: replaced)
logger = logging.getLogger(__name__)

# A request's status in the client's words.
CLIENT_STATUS = {
    Case.Status.NEW: _lazy("Received"),
    Case.Status.IN_PROGRESS: _lazy("In progress"),
    Case.Status.WAITING_ON_CLIENT: _lazy("Waiting for your answer"),
    Case.Status.RESOLVED: _lazy("Resolved"),
    Case.Status.CLOSED: _lazy("Closed"),
}


@dataclass(frozen=True)
class HelpPath:
    """The help-tool path a client followed to the contact form, recomputed from the address."""

    tree: Tree
    slugs: list
    snapshot: list  # [{"question": ..., "answer": ...}], as the texts read now
    outcome: object  # triage.selectors.NodeView

    @property
    def outcome_url(self):
        return step_url(self.tree.slug, self.slugs)


class InvalidOrigin(Exception):
    """The address names a help-tool path that does not lead to a contactable outcome."""


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@accepts_attachments
@limit_posts("contact", keep_form=True)
def contact(request):
    try:
        origin = _help_path(request.GET)
    except InvalidOrigin:
        return render(request, "cases/contact_unavailable.html", status=400)
    ask_topic = origin is None or origin.outcome.topic_id is None
    if shown_as_typed(request):
        typed = _typed(request.POST, exclude=[HONEYPOT])
        try:
            redeem_token(typed.get("token", ""))
        except InvalidToken:
            typed["token"] = issue_token()
        form = ContactForm(ask_topic=ask_topic, initial=typed)
        context = _form_context(form, origin, files_dropped=bool(request.FILES))
        return form_as_typed(request, "cases/contact.html", context)
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
                context = _form_context(form, origin, unavailable=True, unconfirmed=case is not None)
                return service_unavailable(request, "cases/contact.html", context)
            return redirect("cases:confirmation")
        # A new token if the old one was tampered with, so the corrected form can be sent.
        if "token" in form.errors:
            form.data = form.data.copy()
            form.data["token"] = issue_token()
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
        revision = f"tree{origin.tree.pk}:{origin.tree.revision}"
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


def _typed(data, exclude=()):
    """What the client typed in a form, to show again: every field but the CSRF token and the toggle."""
    skipped = {"csrfmiddlewaretoken", LANGUAGE_SWITCH, *exclude}
    return {name: value for name, value in data.items() if name not in skipped}


@require_safe
@never_cache
def confirmation(request):
    case = _case_in_session(request, SESSION_KEY)
    if case is None:
        return render(request, "cases/confirmation_missing.html", status=404)
    return render(request, "cases/confirmation.html", {"case": case})


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@limit_posts("status", keep_form=True)
def status(request):
    """Show where a request stands to whoever has its reference and email address.

    Both are in every email's subject and To line, so they show the status only: the conversation
    opens with an emailed link alone (cases.link_views). The request found is kept in the session
    and shown at its own address (post/redirect/get).
    """
    if request.method != "POST":
        return render(request, "cases/status.html", {"form": StatusLookupForm()})
    if shown_as_typed(request):
        return form_as_typed(request, "cases/status.html", {"form": StatusLookupForm(initial=_typed(request.POST))})
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
    """The request found by this browser's last status lookup, in the page's language."""
    case = _case_in_session(request, STATUS_SESSION_KEY)
    if case is None:
        return redirect("cases:status")
    return render(request, "cases/status_result.html", {"case": case, "status": CLIENT_STATUS[case.status]})


def _case_in_session(request, key):
    """The case whose reference this browser's session keeps under `key`, or None."""
    reference = request.session.get(key)
    return Case.objects.select_related("topic").filter(reference=reference).first() if reference else None


def _help_path(query):
    """The path named by ?tree=…&answers=…, None when there is none; raises InvalidOrigin."""
    tree_slug, answers = query.get("tree"), query.get("answers")
    if tree_slug is None and answers is None:
        return None
    slugs = answer_slugs(answers or "")
    if slugs is None or not is_slug(tree_slug or ""):
        raise InvalidOrigin
    tree = published_tree(tree_slug)
    if tree is None:
        raise InvalidOrigin
    try:
        given, outcome = tree_graph(tree).walk(tree.start_id, slugs)
    except PathNotFound:
        raise InvalidOrigin from None
    if outcome.is_question or not outcome.contact_allowed:
        raise InvalidOrigin
    snapshot = [{"question": answer.question.text, "answer": answer.choice.label} for answer in given]
    return HelpPath(tree=tree, slugs=slugs, snapshot=snapshot, outcome=outcome)


def _submit(form, origin):
    if origin is None or origin.outcome.topic_id is None:
        topic = form.cleaned_data["topic"]
    else:
        topic = Topic.objects.get(pk=origin.outcome.topic_id)
    case, _created = case_submit(
        contact=form.contact_details(),
        topic=topic,
        response_class=origin.outcome.response_class if origin else topic.response_class,
        path=origin.snapshot if origin else (),
        outcome_id=origin.outcome.id if origin else None,
        outcome_title=origin.outcome.title if origin else "",
        release_id=origin.tree.release_id if origin else None,
        submission_token=form.cleaned_data["token"],
        attachments=form.cleaned_data["attachments"],
    )
    return case
