"""The admin's sign-in form: username, password, and a code from the authenticator app or a backup code."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def device_for_code(user, code):
    """The persistent id of the one device `code` can come from, or "" when that is not clear.

    Digits as many as the app shows are the app's, anything else a backup code. Only that
    device is tried, so a mistyped code counts against no other device.
    """
    devices = list(devices_for_user(user))
    if code.isdigit():
        matching = [device for device in devices if isinstance(device, TOTPDevice) and device.digits == len(code)]
    else:
        matching = [device for device in devices if isinstance(device, StaticDevice)]
    if len(matching) != 1:
        matching = devices
    return matching[0].persistent_id if len(matching) == 1 else ""


class StaffAuthenticationForm(OTPAdminAuthenticationForm):
    """Password, then the code; a wrong code counts towards the lockout as a wrong password does.

    The code is asked for unless STAFF_OTP_REQUIRED is off (local development), where a code
    typed anyway is still checked.
    """

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "no_device": _("This account has no authenticator app yet. Ask an administrator to set one up."),
    }
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Enter the code from your authenticator app."),
        "invalid_token": _(
            "This code is not right. Enter the code your authenticator app shows now, or a backup code."
        ),
        "device_required": _("Choose where your code comes from."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        code = self.fields["otp_token"]
        code.label = _("Code")
        code.help_text = _("The 6 digits your authenticator app shows, or one of your backup codes.")
        code.widget.attrs.update(autocomplete="one-time-code", autocapitalize="none", spellcheck="false")
        self.fields["otp_device"].label = _("Code from")
        self.needs_device_choice = False

    def clean(self):
        self.cleaned_data = AdminAuthenticationForm.clean(self)
        user = self.get_user()
        code = "".join(self.cleaned_data.get("otp_token", "").split()).lower()
        if user is None or not (settings.STAFF_OTP_REQUIRED or code):
            return self.cleaned_data
        if not any(devices_for_user(user)):
            raise ValidationError(self.error_messages["no_device"], code="no_device")
        self.cleaned_data["otp_token"] = code
        if code and not self.cleaned_data.get("otp_device"):
            self.cleaned_data["otp_device"] = device_for_code(user, code)
        try:
            self.clean_otp(user)
        except ValidationError as error:
            self.needs_device_choice = error.code == "device_required"
            if code and error.code != "device_required":
                # A wrong code, or one sent while the device makes the user wait, is a failed sign-in.
                user_login_failed.send(
                    sender=type(self), credentials={"username": self.cleaned_data["username"]}, request=self.request
                )
            raise
        return self.cleaned_data
