"""Load the help trees shipped in fixtures/ that the database does not have yet, and publish them."""

import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from triage.models import Tree
from triage.releases import tree_publish


class Command(BaseCommand):
    help = (
        "Load each fixtures/*_tree.json whose tree is not in the database yet, so that staff "
        "edits are kept, and publish it; --replace loads them all again, overwriting those trees' "
        "drafts, and publishes them as new releases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--replace", action="store_true", help="Load every tree, even those already here.")

    def handle(self, *, replace, **options):
        for directory in settings.FIXTURE_DIRS:
            for fixture in sorted(directory.glob("*_tree.json")):
                slugs = [
                    record["fields"]["slug"]
                    for record in json.loads(fixture.read_text(encoding="utf-8"))
                    if record["model"] == "triage.tree"
                ]
                if not replace and Tree.objects.filter(slug__in=slugs).exists():
                    self.stdout.write(f"{fixture.name}: already loaded ({', '.join(slugs)}), kept as it is")
                    continue
                call_command("loaddata", fixture, verbosity=options["verbosity"])
                for tree in Tree.objects.filter(slug__in=slugs):
                    release = tree_publish(tree, note=f"Loaded from {fixture.name}.")
                    self.stdout.write(f"{tree.slug}: release {release.number} published")
