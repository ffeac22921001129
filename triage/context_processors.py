"""Values the pages' templates need from the help trees."""

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from .models import Tree

# What the pages are made of, besides the content staff edit: templates, translations, styles.
PAGE_SOURCES = ["templates", "triage/templates", "cases/templates", "locale", "static"]
DATE_KEY = "site:trees-changed-at"


def site(request):
    """ "Date modified" for pages without a date of their own, read only if the page shows it."""
    return {"site_date_modified": SimpleLazyObject(date_modified)}


def date_modified():
    """The last change to what the pages show: the published help trees, or the site's own files.

    Kept a minute in this process, so that busy pages do not ask the database each time.
    """
    latest_tree = cache.get(DATE_KEY)
    if latest_tree is None:
        latest_tree = (
            Tree.objects.published().aggregate(latest=Max("current_release__published_at"))["latest"]
            or pages_written_at()
        )
        cache.set(DATE_KEY, latest_tree, timeout=60)
    latest = max(filter(None, [latest_tree, pages_written_at()]))
    return timezone.localdate(latest).isoformat()


@lru_cache(maxsize=1)
def pages_written_at():
    """When the newest file the pages are made of was written (the installed release)."""
    times = [
        path.stat().st_mtime
        for folder in PAGE_SOURCES
        for path in (Path(settings.BASE_DIR) / folder).rglob("*")
        if path.is_file()
    ]
    return datetime.fromtimestamp(max(times), UTC) if times else None
