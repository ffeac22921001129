"""Messages of a case's conversation as pages and emails show them ({% load conversation %})."""

from django import template
from django.utils.safestring import mark_safe

from triage.guidance import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """A staff reply's Markdown as HTML, by the rule of triage.guidance (no raw HTML, no image, safe links only)."""
    return mark_safe(render_markdown(text))  # noqa: S308  (markdown-it escapes raw HTML: see triage.guidance)
