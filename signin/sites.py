"""The admin site: active staff signed in with a password and a code from their authenticator app."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminSite

from .forms import StaffAuthenticationForm


class StaffAdminSite(OTPAdminSite):
    login_form = StaffAuthenticationForm
    login_template = "signin/login.html"

    def __init__(self, name="admin"):
        super().__init__(name)

    def has_permission(self, request):
        """Staff verified by a code; without the code only where STAFF_OTP_REQUIRED is off (never in production)."""
        if settings.STAFF_OTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
