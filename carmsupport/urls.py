"""Root URLs: the public pages under /en/ and /fr/, the staff admin, and redirects to them."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from . import health, observability, views

admin.site.site_header = _("CARM support — staff")
admin.site.site_title = _("CARM support staff")
admin.site.index_title = _("Help trees and cases")

urlpatterns = [
    # For the supervisor, the proxy and Prometheus: no language, never cached, never rate-limited.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", observability.metrics, name="metrics"),
    path("admin/cases/service-standard/", include("cases.reports.views")),  # admin.site.admin_view inside
    path("admin/", admin.site.urls),
    path("", views.choose_language, name="choose_language"),
    # Addresses from before the pages had a language (in emails, bookmarks): the English page.
    re_path(r"^(?P<path>(?:help|contact|status)/.*)$", views.english_page),
    *i18n_patterns(
        path("", include("triage.urls")),
        path("", include("cases.urls")),
    ),
]

handler400 = "carmsupport.views.bad_request"
handler404 = "carmsupport.views.page_not_found"
handler500 = "carmsupport.views.server_error"
