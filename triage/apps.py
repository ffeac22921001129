from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Help trees")

    def ready(self):
        from . import signals  # noqa: F401  (connects the tree revision handlers)
