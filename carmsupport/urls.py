"""Root URLs: the public help tool and contact pages, and the staff admin."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from . import views

admin.site.site_header = _("CARM support — staff")
admin.site.site_title = _("CARM support staff")
admin.site.index_title = _("Help trees and cases")

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("triage.urls")),
    path("", include("cases.urls")),
]

handler400 = "carmsupport.views.bad_request"
handler404 = "carmsupport.views.page_not_found"
handler500 = "carmsupport.views.server_error"
