from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpdeskConfig(AppConfig):
    """What the help tool and the cases share: the helpdesk's calendar, its topics and closure days."""

    name = "helpdesk"
    verbose_name = _("Helpdesk")
