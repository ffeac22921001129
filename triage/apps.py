from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Help trees")

    def ready(self):
        from carmsupport.observability import SCRAPE_COLLECTORS

        from . import signals  # noqa: F401  (connects the tree revision handlers)
        from .metrics import StepCountsCollector

        if not any(isinstance(collector, StepCountsCollector) for collector in SCRAPE_COLLECTORS):
            SCRAPE_COLLECTORS.append(StepCountsCollector())
