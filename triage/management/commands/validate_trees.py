"""Check every help tree against the rules; exit non-zero with the list of problems. The texts of a
draft changed in one language only since its last release are listed too, as warnings: they may be
right, but someone should check them."""

from django.core.management.base import BaseCommand, CommandError

from triage.integrity import publishing_problems
from triage.language_lag import lagging_texts
from triage.models import Tree
from triage.releases import snapshot


class Command(BaseCommand):
    help = (
        "Check every help tree: no loops, no dead ends, no unreachable nodes, outcomes with guidance, "
        "and every text in English and in French."
    )

    def handle(self, *args, **options):
        failures = 0
        for tree in Tree.objects.all():
            problems = publishing_problems(tree)
            if problems:
                failures += len(problems)
                self.stdout.write(f"{tree.slug}: {len(problems)} problem(s)")
                for problem in problems:
                    self.stdout.write(f"  - {problem}")
            else:
                self.stdout.write(f"{tree.slug}: no problems")
            release = tree.current_release
            for lag in lagging_texts(release.snapshot if release else None, snapshot(tree)):
                self.stdout.write(f"  ! {lag}")
        if failures:
            raise CommandError(f"{failures} problem(s) found.")
