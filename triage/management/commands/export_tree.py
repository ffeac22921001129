"""Write a help tree's draft as a TOML document (triage.exchange), to review content in Git."""

from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from triage.exchange import export_draft

from .publish_tree import get_tree


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Write the draft of a help tree as a TOML document, to the standard output or a file. "
            "Load an edited document back with import_tree."
        )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("The slug of the help tree, such as carm."))
        parser.add_argument("--output", "-o", help=_("The file to write; the standard output if left out."))

    def handle(self, *, slug, output, **options):
        text = export_draft(get_tree(slug))
        if output and output != "-":
            Path(output).write_text(text, encoding="utf-8", newline="\n")
            if options["verbosity"] >= 1:
                self.stderr.write(_("Wrote the draft of %(slug)s to %(file)s.") % {"slug": slug, "file": output})
        else:
            self.stdout.write(text, ending="")
