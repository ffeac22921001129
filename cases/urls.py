from django.urls import path

from .conversation import links as link_views
from .conversation import views as conversation_views
from .intake import views
from .satisfaction import views as satisfaction_views

app_name = "cases"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/received/", views.confirmation, name="confirmation"),
    path("status/", views.status, name="status"),
    path("status/request/", views.status_result, name="status_result"),
    path("conversation/", conversation_views.conversation, name="conversation"),
    path("conversation/open/<str:token>/", conversation_views.conversation_open, name="conversation_open"),
    path("conversation/link/", link_views.conversation_link, name="conversation_link"),
    path("conversation/link/sent/", link_views.conversation_link_sent, name="conversation_link_sent"),
    path("conversation/files/<int:pk>/", conversation_views.conversation_file, name="conversation_file"),
    path("resolved/recorded/<str:answer>/", satisfaction_views.resolved_recorded, name="resolved_recorded"),
    path("resolved/<str:token>/", satisfaction_views.resolved_answer_view, name="resolved_answer"),
]
