from django.urls import path, re_path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/<slug:tree_slug>/", views.start, name="start"),
    re_path(r"^help/(?P<tree_slug>[-\w]+)/questions/(?P<answers>.*)$", views.step, name="step"),
    re_path(r"^help/(?P<tree_slug>[-\w]+)/feedback/(?P<answers>.*)$", views.feedback, name="feedback"),
    path("help/<slug:tree_slug>/preview/", views.preview_start, name="preview_start"),
    re_path(r"^help/(?P<tree_slug>[-\w]+)/preview/questions/(?P<answers>.*)$", views.preview_step, name="preview_step"),
]
