"""Remove the personal data of cases closed longer ago than the retention period."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.services import cases_anonymise_closed


class Command(BaseCommand):
    help = (
        "Blank the client's name, contact details, business details, description and internal notes of "
        "cases closed more than DAYS ago (default: CASE_RETENTION_DAYS); keep dates, topic, class and status."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, metavar="DAYS", default=settings.CASE_RETENTION_DAYS)

    def handle(self, *, older_than, **options):
        if older_than < 0:
            raise CommandError("--older-than must be 0 or more days.")
        count = cases_anonymise_closed(older_than_days=older_than)
        self.stdout.write(f"Personal data removed from {count} closed case(s) closed more than {older_than} days ago.")
