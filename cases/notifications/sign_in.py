"""The language of a member of staff's browser, kept as they sign in: their emails are in it when
they chose no language on their staff profile (StaffProfile.email_language)."""

from django.conf import settings

from ..models import StaffProfile


def remember_language(sender, request, user, **kwargs):
    """On signing in (django.contrib.auth's user_logged_in), keep the language the staff site speaks to them."""
    language = getattr(request, "LANGUAGE_CODE", "") if request is not None else ""
    if user.is_staff and language in dict(settings.LANGUAGES):
        StaffProfile.objects.update_or_create(user=user, defaults={"signed_in_language": language})
