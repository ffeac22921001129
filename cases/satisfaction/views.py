"""The pages the links of "Did we resolve your request?" open: confirm the answer, then thanks.

A link carries the case's reference and its answer, signed (cases.tokens); it needs no sign-in and
shows nothing of the case but its reference. Loading it records nothing, so that a mail scanner
fetching it answers nothing: the page asks the client to confirm, and the answer is recorded by
the button's POST (with the page's CSRF token). A No has an optional comment box. A tampered or
expired link, or one to a case whose personal data was removed, gets one friendly page. No page
here is stored by a browser or a proxy (never_cache).
"""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.bilingual import current_language, other_language
from carmsupport.ratelimits import form_as_typed, limit_posts

from ..models import Case, SatisfactionAnswer
from ..services import CaseRuleError
from ..tokens import RESOLVED_LINK_DAYS, InvalidToken, resolved_answer
from .forms import NotResolvedForm
from .services import case_answer_resolved

Answer = SatisfactionAnswer.Answer
# Each answer as a word of the thanks page's address, in the page's language.
ANSWER_WORDS = {Answer.YES: pgettext_lazy("address", "yes"), Answer.NO: pgettext_lazy("address", "no")}


def answer_word(answer) -> str:
    """The answer's word in the address of the thanks page, in the active language: "yes", « oui »."""
    return str(ANSWER_WORDS[answer])


def _answer_named(word):
    """The answer a word of the address names, in the page's language or, from before there were French
    addresses, in English; None for any other word."""
    return next((answer for answer in Answer if word in (answer_word(answer), answer.value)), None)


def _invalid(request):
    return render(request, "cases/resolved_invalid.html", {"link_days": RESOLVED_LINK_DAYS}, status=404)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@limit_posts("resolved", keep_form=True)
def resolved_answer_view(request, token):
    """The page of one answer's link: its button records the answer (with a No, the comment typed)."""
    try:
        reference, answer = resolved_answer(token, Answer.values)
    except InvalidToken:
        return _invalid(request)
    case = Case.objects.filter(reference=reference, anonymised_at__isnull=True).only("pk", "reference").first()
    if case is None:
        return _invalid(request)
    template = "cases/resolved_answer.html"

    def context(form):
        return {"case": case, "answer": answer, "form": form if answer == Answer.NO else None}

    page = form_as_typed(request, template, lambda typed: context(NotResolvedForm(initial=typed)))
    if page is not None:
        return page
    if request.method != "POST":
        return render(request, template, context(NotResolvedForm()))
    form = NotResolvedForm(request.POST)
    if answer == Answer.NO and not form.is_valid():
        return render(request, template, context(form))
    comment = form.cleaned_data.get("comment", "") if answer == Answer.NO else ""
    try:
        case_answer_resolved(case, answer=answer, comment=comment, language=current_language())
    except CaseRuleError:  # anonymised since the page was loaded
        return _invalid(request)
    return redirect("cases:resolved_recorded", answer=answer_word(answer))


@require_safe
@never_cache
def resolved_recorded(request, answer):
    """Thanks, and what happens next."""
    answer = _answer_named(answer)
    if answer is None:
        raise Http404
    with translation.override(other_language(current_language())):
        request.other_language_url = reverse("cases:resolved_recorded", args=[answer_word(answer)])
    return render(request, "cases/resolved_recorded.html", {"answer": answer})
