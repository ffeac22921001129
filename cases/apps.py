from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from carmsupport.observability import SCRAPE_COLLECTORS
        from triage.analytics import FILED_COUNTERS

        from .metrics import CasesCollector
        from .notifications.sign_in import remember_language
        from .selectors import cases_filed_per_outcome

        user_logged_in.connect(remember_language, dispatch_uid="cases.remember_language")

        if cases_filed_per_outcome not in FILED_COUNTERS:
            FILED_COUNTERS.append(cases_filed_per_outcome)

        if not any(isinstance(collector, CasesCollector) for collector in SCRAPE_COLLECTORS):
            SCRAPE_COLLECTORS.append(CasesCollector())
