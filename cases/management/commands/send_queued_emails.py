"""Keep the outbox moving: recover the emails a stopped worker left being sent, enqueue again the emails
whose task was lost, or send them here with --now.

For cron, e.g. every 10 minutes. It exits non-zero when an email failed for good in the last 24 hours,
so that cron's report (or the monitoring that runs it) tells someone; staff
then see the email, and can send it again, under Cases → Outgoing emails. An email sent unconfirmed
(the mail server had it whole, then timed out) likely reached the client: it is counted, not failed.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import OutboundEmail
from cases.outbox import orphans
from cases.outbox import queue as outbox


class Command(BaseCommand):
    help = (
        "Recover the emails a stopped worker left being sent; enqueue again the queued emails whose task was "
        "lost (more than 5 minutes past due); with --now, send every due email in this process instead of "
        "waiting for the task worker. Exits non-zero when an email failed for good in the last 24 hours."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Send every due queued email in this process (for a machine without a task worker).",
        )

    def handle(self, *, now, **options):
        recovered = orphans.recover_orphans()
        self.stdout.write(f"{recovered} email(s) left being sent by a stopped worker recovered.")
        if now:
            outcomes = outbox.deliver_due()
            self.stdout.write(
                "{sent} email(s) sent, {queued} to try again later, {failed} failed for good, {cancelled} "
                "cancelled. {unconfirmed} sent unconfirmed.".format(
                    **{outcome: outcomes.get(outcome, 0) for outcome in OutboundEmail.Status.values}
                )
            )
        requeued = outbox.requeue_stale()
        self.stdout.write(f"{requeued} email(s) whose task was lost enqueued again.")
        moment = timezone.now()
        waiting = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).count()
        # A failed email's next_attempt_at is when its last attempt began.
        failed = OutboundEmail.objects.filter(
            status=OutboundEmail.Status.FAILED, next_attempt_at__gte=moment - timedelta(days=1)
        ).count()
        unconfirmed = OutboundEmail.objects.filter(
            status=OutboundEmail.Status.UNCONFIRMED, sent_at__gte=moment - timedelta(days=1)
        ).count()
        self.stdout.write(
            f"{waiting} email(s) queued, {failed} failed in the last 24 hours. "
            f"{unconfirmed} sent unconfirmed in the last 24 hours."
        )
        if failed:
            raise CommandError(f"{failed} email(s) failed in the last 24 hours: see Outgoing emails in the admin.")
