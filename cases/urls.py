"""The helpdesk's addresses, their words in the page's language: /en/contact/, /fr/nous-joindre/, …"""

from django.urls import path, re_path
from django.utils.translation import pgettext_lazy as address

from . import old_addresses
from .conversation import links as link_views
from .conversation import views as conversation_views
from .intake import views
from .satisfaction import views as satisfaction_views

app_name = "cases"

urlpatterns = [
    path(address("address", "contact/"), views.contact, name="contact"),
    path(address("address", "contact/received/"), views.confirmation, name="confirmation"),
    path(address("address", "status/"), views.status, name="status"),
    path(address("address", "status/request/"), views.status_result, name="status_result"),
    path(address("address", "conversation/"), conversation_views.conversation, name="conversation"),
    path(
        address("address", "conversation/open/<str:token>/"),
        conversation_views.conversation_open,
        name="conversation_open",
    ),
    path(address("address", "conversation/link/"), link_views.conversation_link, name="conversation_link"),
    path(
        address("address", "conversation/link/sent/"),
        link_views.conversation_link_sent,
        name="conversation_link_sent",
    ),
    path(
        address("address", "conversation/files/<int:pk>/"),
        conversation_views.conversation_file,
        name="conversation_file",
    ),
    path(
        address("address", "resolved/recorded/<str:answer>/"),
        satisfaction_views.resolved_recorded,
        name="resolved_recorded",
    ),
    path(address("address", "resolved/<str:token>/"), satisfaction_views.resolved_answer_view, name="resolved_answer"),
    # Last: a French address in the English words it had before (in emails sent, bookmarks), moved for good.
    re_path(old_addresses.PATTERN, old_addresses.old_french_address, name="old_french_address"),
]
