"""Give a staff member an authenticator app (TOTP) and backup codes, and print what to add to the app."""

from base64 import b32encode

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from signin.services import AlreadyEnrolled, totp_device_enrol


class Command(BaseCommand):
    help = (
        "Give the staff member USERNAME an authenticator app for signing in to the admin: print the "
        "otpauth:// URL and the key to add to the app, and one-use backup codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="remove the staff member's app and backup codes first (a lost phone, used-up codes)",
        )
        parser.add_argument(
            "--backup-codes", type=int, default=10, metavar="N", help="how many backup codes (default 10; 0 for none)"
        )

    def handle(self, *, username, replace, backup_codes, **options):
        if backup_codes < 0:
            raise CommandError("--backup-codes must be 0 or more.")
        users = get_user_model()
        try:
            user = users.objects.get_by_natural_key(username)
        except users.DoesNotExist:
            raise CommandError(f'There is no user "{username}".') from None
        if not (user.is_active and user.is_staff):
            raise CommandError(f'"{username}" is not active staff: only staff sign in to the admin.')
        try:
            app, codes = totp_device_enrol(user=user, replace=replace, backup_codes=backup_codes)
        except AlreadyEnrolled:
            raise CommandError(
                f'"{username}" already has an authenticator app or backup codes; --replace gives new ones.'
            ) from None
        key = b32encode(app.bin_key).decode()
        self.stdout.write(f'Authenticator app for "{username}" is ready. Keep what follows secret, like a password.')
        self.stdout.write("Add it to an authenticator app (Microsoft Authenticator, FreeOTP, ...) with this URL:")
        self.stdout.write(f"  {app.config_url}")
        self.stdout.write(f"or by typing this key (time-based, {app.digits} digits, every {app.step} seconds):")
        self.stdout.write("  " + " ".join(key[i : i + 4] for i in range(0, len(key), 4)))
        if codes:
            self.stdout.write("Backup codes, each good once, for when the phone is not at hand:")
            for code in codes:
                self.stdout.write(f"  {code}")
        self.stdout.write("Sign in at /admin/ with the username, the password and the code the app shows.")
