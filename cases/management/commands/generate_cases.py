"""Fill the database with realistic made-up cases, for benchmarks and demonstrations."""

import random
import secrets
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from cases.business_days import response_due
from cases.models import Case, ClosureDay, ResponseClass, Topic
from cases.references import new_reference

FIRST_NAMES = ["Ann", "Bruno", "Chloé", "Dev", "Elena", "Farid", "Grace", "Hiro", "Isabelle", "Jonas", "Kiran", "Léa"]
LAST_NAMES = ["Smith", "Tremblay", "Nguyen", "Roy", "Patel", "Gagnon", "Wong", "Côté", "Singh", "Martin"]
BUSINESSES = ["Northern Imports Inc.", "Bay Street Brokers Ltd.", "Maple Freight Co.", "Harbour Goods Ltd."]
DESCRIPTIONS = [
    "EC-1012 appears when I register my business.",
    "I cannot add my RM account to my business number.",
    "The payment I made does not show on my statement of account.",
    "My GCKey expired and I cannot sign in.",
    "I need to post financial security before the deadline.",
]


class Command(BaseCommand):
    help = "Create COUNT made-up cases received over the past year, in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *, count, seed, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        rng = random.Random(seed)  # noqa: S311  (made-up history, repeatable from its seed)
        topics = list(Topic.objects.all())
        if not topics:
            raise CommandError("No topics: run migrate first.")
        now = timezone.now()
        closed = ClosureDay.dates_from(now.date() - timedelta(days=400))
        references = set(Case.objects.values_list("reference", flat=True))
        batch = []
        for _number in range(count):
            reference = new_reference()
            while reference in references:
                reference = new_reference()
            references.add(reference)
            batch.append(self._case(rng, topics, now, closed, reference))
            if len(batch) == 5000:
                self._save(batch)
                batch = []
        self._save(batch)
        self.stdout.write(f"Created {count} cases.")

    @staticmethod
    def _case(rng, topics, now, closed, reference):
        topic = rng.choice(topics)
        received = now - timedelta(seconds=rng.randint(0, 365 * 24 * 3600))
        due = response_due(received, ResponseClass(topic.response_class).business_days, closed_days=closed)
        status = rng.choices(list(Case.Status), weights=[2, 2, 1, 3, 6])[0]
        answered = status in (Case.Status.RESOLVED, Case.Status.CLOSED) or rng.random() < 0.3
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        return Case(
            reference=reference,
            received_at=received,
            due_at=due,
            status=status,
            topic=topic,
            response_class=topic.response_class,
            full_name=f"{first} {last}",
            email=f"{first}.{last}.{reference[:4]}@example.org".lower(),
            business_name=rng.choice(BUSINESSES),
            business_number="123456782RM0001" if rng.random() < 0.5 else "",
            description=rng.choice(DESCRIPTIONS),
            first_response_at=received + timedelta(hours=rng.randint(1, 120)) if answered else None,
            reply_due_at=None if answered else due,
            conversation_key=secrets.token_hex(16),
            acknowledged_at=received,
            closed_at=received + timedelta(days=5) if status == Case.Status.CLOSED else None,
        )

    @staticmethod
    def _save(batch):
        if batch:
            with transaction.atomic():
                Case.objects.bulk_create(batch)
