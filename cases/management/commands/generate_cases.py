"""Fill the database with months of realistic made-up cases, for the reports, demonstrations and benchmarks.

Requests arrive mostly on business days and in opening hours, in English and French, under
every topic (so both response classes). Most are answered within their target, some late;
recent ones are still open, a few of them past their target. Some clients follow up after
the first answer, and most follow-ups are answered within their own target. Targets use the
same rule and closure days as real cases, so holidays and weekends show in the figures.
"""

import random
import secrets
from datetime import time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.intake.references import new_reference
from cases.models import Case, Message
from cases.teams import team_for
from helpdesk.calendar import eastern, eastern_date, is_business_day, response_due
from helpdesk.models import ClosureDay, ResponseClass, Topic

FIRST_NAMES = ["Ann", "Bruno", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isabelle", "Jonas", "Kiran", "Léa"]
LAST_NAMES = ["Smith", "Tremblay", "Nguyen", "Roy", "Patel", "Gagnon", "Wong", "Côté", "Singh", "Martin"]
BUSINESSES = ["Northern Imports Inc.", "Bay Street Brokers Ltd.", "Maple Freight Co.", "Harbour Goods Ltd."]
DESCRIPTIONS = {
    "en": [
        "EC-1012 appears when I register my business.",
        "I cannot add my RM account to my business number.",
        "The payment I made does not show on my statement of account.",
        "My GCKey expired and I cannot sign in.",
        "I need to post financial security before the deadline.",
    ],
    "fr": [
        "Le code EC-1012 s'affiche quand j'enregistre mon entreprise.",
        "Je ne peux pas ajouter mon compte RM à mon numéro d'entreprise.",
        "Mon paiement n'apparaît pas sur mon relevé de compte.",
        "Ma CléGC a expiré et je ne peux pas me connecter.",
        "Je dois fournir une garantie financière avant la date limite.",
    ],
}
FOLLOW_UPS = {
    "en": "Thank you. I tried again and the problem is still there.",
    "fr": "Merci. J'ai réessayé et le problème persiste.",
}
LATE_SHARE = 0.1  # first answers after their target
OVERLOOKED_SHARE = 0.25  # recent requests still unanswered
FRENCH_SHARE = 0.3
FOLLOW_UP_SHARE = 0.2
BATCH = 5000


class Command(BaseCommand):
    help = "Create COUNT made-up cases received over the past MONTHS months, with answers and follow-ups, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--months", type=int, default=12, help="how far back the requests go (default 12)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *, count, months, seed, **options):
        if count < 1 or months < 1:
            raise CommandError("--count and --months must be at least 1.")
        rng = random.Random(seed)  # noqa: S311  (made-up history, repeatable from its seed)
        topics = list(Topic.objects.all())
        if not topics:
            raise CommandError("No topics: run migrate first.")
        now = timezone.now()
        start = now - timedelta(days=round(months * 30.44))
        closed = ClosureDay.dates_from(eastern_date(start))
        history = History(rng, topics, now, start, closed)
        teams = {topic.pk: team_for(topic) for topic in topics}  # each case in its topic's queue
        references = set(Case.objects.values_list("reference", flat=True))
        batch = []
        for _number in range(count):
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            case, follow_ups = history.case(reference)
            case.team = teams[case.topic_id]
            batch.append((case, follow_ups))
            if len(batch) == BATCH:
                self._save(batch)
                batch = []
        self._save(batch)
        self.stdout.write(f"Created {count} cases received over {months} months.")

    @staticmethod
    def _save(batch):
        """Save (case, its follow-ups) pairs: the cases first, for their ids."""
        if not batch:
            return
        with transaction.atomic():
            Case.objects.bulk_create([case for case, _messages in batch])
            messages = []
            for case, follow_ups in batch:
                for message in follow_ups:
                    message.case = case
                    messages.append(message)
            Message.objects.bulk_create(messages)


class History:
    """The made-up life of one case: when it came, when it was answered, where it stands."""

    def __init__(self, rng, topics, now, start, closed):
        self.rng, self.topics, self.now, self.start, self.closed = rng, topics, now, start, closed

    def received(self):
        """A moment in the period: on a business day in opening hours, mostly; sometimes not."""
        rng = self.rng
        while True:
            moment = self.start + timedelta(seconds=rng.uniform(0, (self.now - self.start).total_seconds()))
            local = eastern(moment)
            if is_business_day(local.date(), self.closed) and time(7) <= local.time() < time(19):
                return moment
            if rng.random() < 0.08:  # evenings, weekends and holidays get a few
                return moment

    def case(self, reference):
        rng = self.rng
        topic = rng.choice(self.topics)
        received = self.received()
        days = ResponseClass(topic.response_class).business_days
        due = response_due(received, days, closed_days=self.closed)
        language = "fr" if rng.random() < FRENCH_SHARE else "en"
        first = self.first_response(received, due)
        status, closed_at, resolved_at = self.status(received, first)
        reply_due = None if first is not None else due
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        case = Case(
            reference=reference,
            received_at=received,
            due_at=due,
            reply_due_at=reply_due,
            status=status,
            topic=topic,
            response_class=topic.response_class,
            language=language,
            preferred_language=language,
            full_name=name,
            email=f"{name.replace(' ', '.')}.{reference[:4]}@example.org".lower(),
            business_name=rng.choice(BUSINESSES),
            business_number="123456782RM0001" if rng.random() < 0.5 else "",
            description=rng.choice(DESCRIPTIONS[language]),
            first_response_at=first,
            first_response_channel=Case.Channel.REPLY if first else "",
            conversation_key=secrets.token_hex(16),
            acknowledged_at=received + timedelta(seconds=rng.randint(2, 90)),
            resolved_at=resolved_at,
            closed_at=closed_at,
        )
        follow_ups = self.follow_ups(case)
        waiting = [message for message in follow_ups if message.answered_at is None]
        if waiting:
            # The client wrote again and is waiting: the case is back in progress, due at that target.
            case.status, case.resolved_at, case.closed_at = Case.Status.IN_PROGRESS, None, None
            case.reply_due_at = waiting[0].due_at
        return case, follow_ups

    def first_response(self, received, due):
        """When the first answer went out: by the target, mostly; late for some; none yet for recent ones."""
        rng = self.rng
        if self.now - received < timedelta(days=15) and rng.random() < OVERLOOKED_SHARE:
            return None  # recent and not answered yet, whether its target has passed or not
        if rng.random() < LATE_SHARE:
            answered = due + timedelta(hours=rng.uniform(1, 96))
        else:
            answered = received + (due - received) * rng.uniform(0.05, 0.98)
        if answered > self.now:
            # Not answered yet; a few of these are past their target (overdue), as at any helpdesk.
            return None
        return answered

    def status(self, received, first):
        rng = self.rng
        if first is None:
            return rng.choice([Case.Status.NEW, Case.Status.IN_PROGRESS]), None, None
        age = (self.now - received).days
        if age > 25:
            resolved = first + timedelta(days=rng.uniform(0.5, 5))
            return Case.Status.CLOSED, resolved + timedelta(days=10), resolved
        if age > 7 and rng.random() < 0.7:
            return Case.Status.RESOLVED, None, first + timedelta(days=rng.uniform(0.5, 3))
        return rng.choice([Case.Status.WAITING_ON_CLIENT, Case.Status.IN_PROGRESS]), None, None

    def follow_ups(self, case):
        """A follow-up after the first answer for some cases, answered within its target or late."""
        rng = self.rng
        if case.first_response_at is None or rng.random() >= FOLLOW_UP_SHARE:
            return []
        sent = case.first_response_at + timedelta(hours=rng.uniform(2, 72))
        if sent > self.now:
            return []
        days = ResponseClass(case.response_class).business_days
        due = response_due(sent, days, closed_days=self.closed)
        late = rng.random() < LATE_SHARE
        answered = due + timedelta(hours=rng.uniform(1, 48)) if late else sent + (due - sent) * rng.uniform(0.1, 0.9)
        if answered > self.now:
            answered = None
        return [
            Message(
                kind=Message.Kind.FOLLOW_UP,
                created_at=sent,
                language=case.language,
                body=FOLLOW_UPS[case.language],
                due_at=due,
                answered_at=answered,
            )
        ]
