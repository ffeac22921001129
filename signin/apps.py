"""The staff sign-in app, and the admin app served by the site that asks for a code."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class SigninConfig(AppConfig):
    default = True
    name = "signin"


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with StaffAdminSite as `admin.site`."""

    default = False
    default_site = "signin.sites.StaffAdminSite"
