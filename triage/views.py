"""Pages of a help tree: the start page, one page per question, the outcome; for clients, the
current release; for staff, the same pages of the draft, as a preview."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import current_language, other_language
from carmsupport.page_cache import CSRF_PLACEHOLDER, kept_page
from carmsupport.ratelimits import limit_posts

from .analytics import count_choice, count_visit
from .forms import SUBMITTED, AnswerForm, FeedbackForm
from .guidance import render_markdown
from .models import VIEW_TREES, OutcomeFeedback
from .selectors import (
    PathNotFound,
    answer_slugs,
    answers_path,
    draft_tree,
    led_somewhere_before,
    published_tree,
    published_trees,
    tree_graph,
    valid_prefix,
)


@require_safe
def home(request):
    return render(request, "triage/home.html", {"trees": published_trees()})


@require_safe
def start(request, tree_slug):
    return _start_page(request, _published_tree(tree_slug))


def _counterpart(request, tree, slugs=None):
    """Name the page's counterpart in the other language for its toggle: the same step, its address in the
    other language's words, query kept."""
    other = other_language(current_language())
    with translation.override(other):
        there = tree.in_language(other)
        url = there.get_absolute_url() if slugs is None else there.step_url(slugs)
    request.other_language_url = url + (f"?{request.GET.urlencode()}" if request.GET else "")


def _other_address(request, url):
    """A permanent redirect to the page's own address when the request named it otherwise (English words in a
    French address, from before there were French ones; answers written differently), the query kept."""
    if request.path == url:
        return None
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    return redirect(url + query, permanent=True)


@require_safe
def step(request, tree_slug, answers):
    return _step_page(request, _published_tree(tree_slug), answers)


def preview_required(view):
    """Staff who may see help trees, signed in as the admin asks (code included); never cached."""

    @wraps(view)
    def checked(request, tree_slug, *args, **kwargs):
        if not request.user.has_perm(VIEW_TREES):
            raise PermissionDenied
        tree = draft_tree(tree_slug)
        if tree is None:
            raise Http404("No help tree here.")
        return view(request, tree, *args, **kwargs)

    return never_cache(admin.site.admin_view(checked))


@require_safe
@preview_required
def preview_start(request, tree):
    return _start_page(request, tree)


@require_safe
@preview_required
def preview_step(request, tree, answers):
    return _step_page(request, tree, answers)


def _start_page(request, tree):
    if moved := _other_address(request, tree.get_absolute_url()):
        return moved
    _counterpart(request, tree)
    context = {"tree": tree, "intro_html": render_markdown(tree.intro), "first_step": tree.step_url([])}
    return render(request, "triage/start.html", context)


def _step_page(request, tree, answers):
    slugs = _answer_keys(tree, answers)
    if slugs is None:
        return _path_not_found(request, tree)
    if moved := _other_address(request, tree.step_url(slugs)):
        return moved
    _counterpart(request, tree, slugs)
    try:
        given, node = tree_graph(tree).walk(tree.start_id, slugs)
    except PathNotFound:
        return _path_not_found(request, tree, slugs)
    if not node.is_question:
        if "helpful" not in request.GET:  # back from sending feedback: the same visit
            count_visit(request, tree, node.id)
        return _outcome_page(request, tree, slugs, given, node)
    if SUBMITTED in request.GET or "answer" in request.GET:
        # Continue was pressed: with nothing ticked the form has no "answer" at all.
        form = AnswerForm(node, request.GET)
        if form.is_valid():
            choice = node.choice_at(form.cleaned_data["answer"])
            count_choice(request, tree, node.id, choice.slug)
            return redirect(tree.step_url([*slugs, choice.slug]))
        # Not counted again: the same visit, shown with its error.
        return _render_question(request, tree, node, form, given)
    count_visit(request, tree, node.id)
    return _question_page(request, tree, answers, node, given)


@require_http_methods(["GET", "HEAD", "POST"])
@limit_posts("feedback")
def feedback(request, tree_slug, answers):
    """Record "Did you find what you were looking for?" for the outcome the answers lead to."""
    tree = _published_tree(tree_slug)
    slugs = _answer_keys(tree, answers)
    if slugs is None:
        return _path_not_found(request, tree)
    _counterpart(request, tree, slugs)
    outcome_url = tree.step_url(slugs)
    if request.method != "POST":
        return redirect(outcome_url)
    try:
        given, node = tree_graph(tree).walk(tree.start_id, slugs)
    except PathNotFound:
        return _path_not_found(request, tree)
    if node.is_question:
        return redirect(outcome_url)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _render_outcome(request, tree, slugs, given, node, form)
    helpful = form.cleaned_data["helpful"]
    OutcomeFeedback.objects.create(outcome_id=node.id, helpful=helpful)
    return redirect(f"{outcome_url}?{urlencode({'helpful': 'yes' if helpful else 'no'})}#feedback")


def _question_page(request, tree, answers, question, given):
    """A question as first shown, its earlier answer ticked when the client came back to change it.

    The page holds nothing of the visitor's, so one revision of the tree renders it the same
    way for everyone: it is kept until the tree changes.
    """
    previous = request.GET.get("previous", "")
    previous = previous if question.choice_at(previous) else ""

    def render_page():
        form = AnswerForm(question, initial={"answer": previous} if previous else None)
        return _render_question(request, tree, question, form, given)

    return kept_page(request, tree.revision, render_page)


def _outcome_page(request, tree, slugs, given, outcome):
    """An outcome as first shown, or after feedback: the same for everyone but the CSRF token."""
    return kept_page(
        request,
        tree.revision,
        lambda: _render_outcome(request, tree, slugs, given, outcome, FeedbackForm(), CSRF_PLACEHOLDER),
    )


def _render_question(request, tree, question, form, given):
    context = {"tree": tree, "question": question, "form": form, "answers": _summary(tree, given)}
    return render(request, "triage/question.html", context)


def _render_outcome(request, tree, slugs, given, outcome, feedback_form, csrf_placeholder=None):
    return render(
        request,
        "triage/outcome.html",
        {
            "tree": tree,
            "outcome": outcome,
            "answers": _summary(tree, given),
            "feedback_form": feedback_form,
            "feedback_action": None if tree.preview else tree.feedback_url(slugs),
            "helpful": request.GET.get("helpful"),
            "contact_url": _contact_url(tree, slugs) if outcome.contact_allowed and not tree.preview else None,
            "csrf_placeholder": csrf_placeholder,
        },
    )


def _published_tree(slug):
    tree = published_tree(slug)
    if tree is None:
        raise Http404("No published help tree here.")
    return tree


def _summary(tree, given):
    """ "Your answers": each question, the answer given and where to change it."""
    return [
        {
            "question": answer.question.text,
            "answer": answer.choice.label,
            "change_url": f"{tree.step_url(answer.before)}?{urlencode({'previous': answer.choice.address})}",
        }
        for answer in given
    ]


def _answer_keys(tree, answers):
    """The answers (keys) an address names, or None when a part could not be an answer."""
    words = answer_slugs(answers)
    return None if words is None else tree.graph.keys(tree.start_id, words)


def _contact_url(tree, slugs):
    """The helpdesk's contact form for a client who walked these answers (it walks them again)."""
    return f"{reverse('cases:contact')}?{urlencode({'tree': tree.slug, 'answers': answers_path(slugs)})}"


def _path_not_found(request, tree, slugs=None):
    """The answers lead nowhere in what the page shows. If they led somewhere in an earlier release,
    the step moved when the tree was updated: say so, and offer the answers that still hold."""
    moved = slugs is not None and not tree.preview and led_somewhere_before(tree, slugs)
    context = {"tree": tree}
    if moved:
        kept = valid_prefix(tree_graph(tree), tree.start_id, slugs)
        context |= {"moved": True, "kept_url": tree.step_url(kept), "kept_count": len(kept)}
    return render(request, "triage/path_not_found.html", context, status=200 if moved else 404)
