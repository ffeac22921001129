"""Addresses of the contact form, for the pages of other apps that lead to it."""

from django.urls import reverse
from django.utils.http import urlencode

from triage.selectors import answers_path


def contact_url_for_path(tree, slugs):
    """The contact form for a client who walked these answers of the tree."""
    return f"{reverse('cases:contact')}?{urlencode({'tree': tree.slug, 'answers': answers_path(slugs)})}"
