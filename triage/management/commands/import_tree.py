"""Replace a help tree's draft with a TOML document (triage.exchange); publishing is a separate step."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from triage.exchange import DraftImportError
from triage.exchange_import import import_draft

from .publish_tree import get_tree


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Replace the draft of a help tree with a TOML document written by export_tree and edited, "
            "and say what changed. The draft is not published; use publish_tree for that."
        )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("The slug of the help tree, such as carm."))
        parser.add_argument("file", help=_("The TOML document to read; - for the standard input."))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Check the document and say what would change, without saving anything."),
        )

    def handle(self, *, slug, file, dry_run, **options):
        tree = get_tree(slug)
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}) from error
        try:
            with transaction.atomic():
                result = import_draft(tree, text)
                if dry_run:
                    transaction.set_rollback(True)
        except DraftImportError as error:
            for problem in error.problems:
                self.stderr.write(f"- {problem}")
            count = len(error.problems)
            raise CommandError(
                ngettext(
                    "Nothing was imported: the document has %(count)d problem.",
                    "Nothing was imported: the document has %(count)d problems.",
                    count,
                )
                % {"count": count}
            ) from error
        diff = result.diff
        values = {"slug": slug, "summary": diff.summary()}
        if dry_run:
            self.stdout.write(
                _("Dry run, nothing saved. Importing would change the draft of %(slug)s: %(summary)s") % values
            )
        else:
            self.stdout.write(_("Imported into the draft of %(slug)s: %(summary)s") % values)
        if options["verbosity"] >= 2:
            for change in diff:
                self.stdout.write(f"  {change}")
                for field in change.fields:
                    if field.note:
                        self.stdout.write(f"    {field.note}")
        if result.ids and not dry_run:
            self.stdout.write(
                ngettext(
                    "%(count)d new node got its id; export the draft again to see it.",
                    "%(count)d new nodes got their ids; export the draft again to see them.",
                    len(result.ids),
                )
                % {"count": len(result.ids)}
            )
        if result.changed and not dry_run:
            self.stdout.write(_("The draft is not published; publish it with publish_tree."))
