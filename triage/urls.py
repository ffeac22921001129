"""The help tool's addresses, their words in the page's language: /en/help/carm/…, /fr/aide/gcra/…"""

from django.urls import path, re_path
from django.utils.translation import pgettext_lazy

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.home, name="home"),
    path(pgettext_lazy("address", "help/<slug:tree_slug>/"), views.start, name="start"),
    re_path(
        pgettext_lazy("address", r"^help/(?P<tree_slug>[-\w]+)/questions/(?P<answers>.*)$"), views.step, name="step"
    ),
    re_path(
        pgettext_lazy("address", r"^help/(?P<tree_slug>[-\w]+)/feedback/(?P<answers>.*)$"),
        views.feedback,
        name="feedback",
    ),
    path(pgettext_lazy("address", "help/<slug:tree_slug>/preview/"), views.preview_start, name="preview_start"),
    re_path(
        pgettext_lazy("address", r"^help/(?P<tree_slug>[-\w]+)/preview/questions/(?P<answers>.*)$"),
        views.preview_step,
        name="preview_step",
    ),
]
