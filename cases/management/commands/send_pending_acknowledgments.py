"""Send the acknowledgment emails that could not be sent when their cases were filed."""

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case
from cases.services import case_acknowledge


class Command(BaseCommand):
    help = "Send each pending acknowledgment email once; exit non-zero if any still fails."

    def handle(self, *args, **options):
        # An anonymised case has no email address left to send to; a withheld one is not pending.
        pending = (
            Case.objects.filter(acknowledged_at__isnull=True, anonymised_at__isnull=True, acknowledgment_withheld=False)
            .select_related("topic")
            .order_by("received_at")
        )
        sent = failed = 0
        for case in pending.iterator():
            if case_acknowledge(case):
                sent += 1
            else:
                failed += 1
        self.stdout.write(f"{sent} acknowledgment(s) sent, {failed} still pending.")
        if failed:
            raise CommandError(f"{failed} acknowledgment(s) could not be sent.")
