from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from triage.analytics import FILED_COUNTERS

        from .selectors import cases_filed_per_outcome

        if cases_filed_per_outcome not in FILED_COUNTERS:
            FILED_COUNTERS.append(cases_filed_per_outcome)
