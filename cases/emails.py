"""The acknowledgment email a client gets when a case is filed."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation


def send_acknowledgment(case):
    """Send the acknowledgment in the client's preferred language; raises if sending fails.

    It quotes nothing the client wrote: the reference, the topic and the target only.
    """
    with translation.override(case.preferred_language):
        context = {"case": case, "status_url": settings.SITE_URL + reverse("cases:status")}
        subject = " ".join(render_to_string("cases/email/acknowledgment_subject.txt", context).split())
        body = render_to_string("cases/email/acknowledgment.txt", context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [case.email]).send(fail_silently=False)
