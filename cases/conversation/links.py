"""Asking for a fresh link to a conversation, emailed to the address the request was sent from.

This is the only way back into a conversation once its link has expired or been revoked: knowing
a request's reference and email address (both are in every email's subject and To line) shows
where it stands, never its messages. The answer reads the same whether or not a request has that
reference and address, and whether or not an email was sent; the posts from one network address
are limited (RATE_LIMIT_CONVERSATION_LINK), and so are the links one mailbox gets in a day
(CONVERSATION_LINKS_PER_ADDRESS_PER_DAY).
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from carmsupport.ratelimits import form_as_typed, limit_posts

from ..intake.forms import StatusLookupForm
from ..models import Case
from .services import case_email_link

# Set by the status lookup: the request this browser found, whose link it may ask for in one click.
STATUS_SESSION_KEY = "status_case"


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@limit_posts("conversation_link", keep_form=True)
def conversation_link(request):
    """The form (reference and email address), and what it does: email a link, or say the same without."""
    if request.method != "POST":
        return render(request, "cases/conversation_link.html", {"form": StatusLookupForm()})
    page = form_as_typed(
        request, "cases/conversation_link.html", lambda typed: {"form": StatusLookupForm(initial=typed)}
    )
    if page is not None:
        return page
    if "found" in request.POST:
        case = _found_by_status_lookup(request)
    else:
        form = StatusLookupForm(request.POST)
        if not form.is_valid():
            return render(request, "cases/conversation_link.html", {"form": form})
        # As in the status lookup: a reference failing its check character runs the same query.
        case = (
            Case.objects.filter(reference=form.reference_or_none() or "", email__iexact=form.cleaned_data["email"])
            .only("pk")
            .first()
        )
    if case is not None:
        case_email_link(case)
    return redirect("cases:conversation_link_sent")


def _found_by_status_lookup(request):
    reference = request.session.get(STATUS_SESSION_KEY)
    return Case.objects.filter(reference=reference).only("pk").first() if reference else None


@require_safe
@never_cache
def conversation_link_sent(request):
    """The same words for every request for a link."""
    return render(request, "cases/conversation_link_sent.html", {"link_days": settings.CONVERSATION_LINK_DAYS})
