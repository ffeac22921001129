"""Values every page template needs."""

from django.conf import settings


def site(request):
    return {"site_date_modified": settings.SITE_DATE_MODIFIED}
