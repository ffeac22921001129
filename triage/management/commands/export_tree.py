"""Write a help tree's draft, or one of its releases, as a TOML document (triage.exchange), to review content
in Git."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from triage.exchange import export_draft, write_document

from .publish_tree import get_tree


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Write the draft of a help tree, or one of its releases, as a TOML document, to the standard "
            "output or a file. Load an edited document back with import_tree."
        )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("The slug of the help tree, such as carm."))
        parser.add_argument("--output", "-o", help=_("The file to write; the standard output if left out."))
        parser.add_argument(
            "--release", type=int, help=_("Write this release instead of the draft (its number, such as 3).")
        )

    def handle(self, *, slug, output, release, **options):
        tree = get_tree(slug)
        if release is None:
            text = export_draft(tree)
        else:
            found = tree.releases.filter(number=release).first()
            if found is None:
                raise CommandError(_("%(slug)s has no release %(number)s.") % {"slug": slug, "number": release})
            text = write_document(found.snapshot)
        if output and output != "-":
            Path(output).write_text(text, encoding="utf-8", newline="\n")
            if options["verbosity"] >= 1:
                self.stderr.write(_("Wrote the draft of %(slug)s to %(file)s.") % {"slug": slug, "file": output})
        else:
            self.stdout.write(text, ending="")
