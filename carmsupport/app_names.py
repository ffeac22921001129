"""The packages' apps under names of our own, in English and French, so that the admin reads in the
staff member's language throughout: django-otp's and django-tasks-db's names are English only, and
django-axes's and django-otp's say what the package is called rather than what it holds.

Each class is the package's own app (same label, same models, same start-up) with its name, and its
models' names, given through gettext; INSTALLED_APPS names these classes instead of the packages.
The models' names are set on their options only, never on the attributes migrations read.
"""

from axes.apps import AppConfig as AxesConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OtpStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OtpTotpConfig
from django_tasks_db.apps import TasksAppConfig


class Renamed:
    """An app whose models take the names in `model_names`: {model name: (singular, plural)}."""

    model_names: dict = {}

    def ready(self):
        super().ready()
        for model_name, (singular, plural) in self.model_names.items():
            options = self.get_model(model_name)._meta
            options.verbose_name, options.verbose_name_plural = singular, plural


class SignInRecordsConfig(Renamed, AxesConfig):
    verbose_name = _("Staff sign-ins")


class BackupCodesConfig(Renamed, OtpStaticConfig):
    verbose_name = _("Backup codes")
    model_names = {
        "StaticDevice": (_("set of backup codes"), _("sets of backup codes")),
        "StaticToken": (_("backup code"), _("backup codes")),
    }


class AuthenticatorAppsConfig(Renamed, OtpTotpConfig):
    verbose_name = _("Authenticator apps")
    model_names = {"TOTPDevice": (_("authenticator app"), _("authenticator apps"))}


class TasksConfig(Renamed, TasksAppConfig):
    verbose_name = _("Background tasks")
    model_names = {"DBTaskResult": (_("task result"), _("task results"))}
