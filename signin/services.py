"""Writes with rules: enrolling a staff member's authenticator app and backup codes."""

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

APP_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"


class AlreadyEnrolled(Exception):
    """The staff member already has a device; replacing it must be asked for."""


def totp_device_enrol(*, user, replace=False, backup_codes=10) -> tuple[TOTPDevice, list[str]]:
    """A new, confirmed authenticator app (TOTP) for `user`, and `backup_codes` one-use codes.

    With `replace`, the user's devices (a lost phone, used-up codes) are removed first;
    without it, a user who has any device is refused with AlreadyEnrolled.
    """
    with transaction.atomic():
        devices = list(devices_for_user(user, confirmed=None))
        if devices and not replace:
            raise AlreadyEnrolled(user.get_username())
        for device in devices:
            device.delete()
        app = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=True)
        codes = []
        if backup_codes:
            backup = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
            codes = [StaticToken.random_token() for _ in range(backup_codes)]
            StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    return app, codes
