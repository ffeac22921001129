"""The admin's sign-in form: username, password, and a code from the authenticator app or a backup code.

Once the form is complete, every refusal says the same thing and counts towards the lockout, so the page
never tells whether the password was right: a wrong password, a wrong code, a code sent while the device
makes the user wait, an account with no device or that is not staff.
"""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def devices_for_code(user, code):
    """The devices of `user` that `code` can come from.

    Digits as many as the app shows are the app's, anything else a backup code; when the user
    has no device of that kind, all of their devices.
    """
    devices = list(devices_for_user(user))
    if code.isdigit():
        matching = [device for device in devices if isinstance(device, TOTPDevice) and device.digits == len(code)]
    else:
        matching = [device for device in devices if isinstance(device, StaticDevice)]
    return matching or devices


def device_accepting(user, code):
    """The device of `user` that accepts `code` now, or None.

    Only the devices the code can come from are tried, so a mistyped code counts against no other
    device; a device that makes the user wait after wrong codes accepts none until then.
    """
    return next((device for device in devices_for_code(user, code) if device.verify_token(code)), None)


class StaffAuthenticationForm(OTPAdminAuthenticationForm):
    """Username, password and code, checked together; the code is asked for before anything is checked.

    The code is required unless STAFF_OTP_REQUIRED is off (local development), where a code
    typed anyway is still checked.
    """

    error_messages = {
        **OTPAdminAuthenticationForm.error_messages,
        "refused": _(
            "The username, password or code is not right. Check all three and try again, with the code "
            "your authenticator app shows now or one of your backup codes."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        code = self.fields["otp_token"]
        code.required = settings.STAFF_OTP_REQUIRED
        code.error_messages["required"] = _("Enter the code from your authenticator app.")
        code.label = _("Code")
        code.help_text = _("The 6 digits your authenticator app shows, or one of your backup codes.")
        code.widget.attrs.update(autocomplete="one-time-code", autocapitalize="none", spellcheck="false")

    def clean(self):
        if "otp_token" in self.errors:
            # Without the code the password is not checked, so this page is the same whether it is right or not.
            return self.cleaned_data
        code = "".join(self.cleaned_data.get("otp_token", "").split()).lower()
        self.cleaned_data["otp_token"] = code
        try:
            self.cleaned_data = AdminAuthenticationForm.clean(self)
        except ValidationError:
            # authenticate() has counted a wrong password; the right one of an account that may not sign in
            # (not staff) is counted here.
            self.refuse(counted=self.user_cache is None)
        user = self.get_user()
        if user is None or not (settings.STAFF_OTP_REQUIRED or code):
            return self.cleaned_data
        user.otp_device = device_accepting(user, code)
        if user.otp_device is None:
            self.refuse(counted=False)
        return self.cleaned_data

    def refuse(self, *, counted):
        """Refuse the sign-in with the one message for every failure, counted towards the lockout unless `counted`."""
        if not counted:
            user_login_failed.send(
                sender=type(self), credentials={"username": self.cleaned_data["username"]}, request=self.request
            )
        raise ValidationError(self.error_messages["refused"], code="invalid_login")
