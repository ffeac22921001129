"""Publish a help tree's draft as a new release, as the admin's publish button does."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from triage.comparison import compare
from triage.models import Tree
from triage.releases import PublishError, tree_publish


def get_tree(slug) -> Tree:
    try:
        return Tree.objects.get(slug=slug)
    except Tree.DoesNotExist:
        raise CommandError(_("No help tree has the slug “%(slug)s”.") % {"slug": slug}) from None


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Publish the draft of a help tree as its new release, which clients then see. "
            "Nothing is published while the draft breaks a rule or lacks a text in English or French."
        )

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("The slug of the help tree, such as carm."))
        parser.add_argument("--note", required=True, help=_("What changed, kept with the release for staff."))

    def handle(self, *, slug, note, **options):
        tree = get_tree(slug)
        previous = tree.current_release.snapshot if tree.current_release_id else None
        try:
            release = tree_publish(tree, note=note)
        except PublishError as error:
            for problem in error.problems:
                self.stderr.write(f"- {problem}")
            count = len(error.problems)
            raise CommandError(
                ngettext(
                    "Nothing was published: the draft of %(slug)s has %(count)d problem.",
                    "Nothing was published: the draft of %(slug)s has %(count)d problems.",
                    count,
                )
                % {"slug": slug, "count": count}
            ) from error
        self.stdout.write(_("Published release %(number)s of %(slug)s") % {"number": release.number, "slug": slug})
        if options["verbosity"] >= 1:
            summary = compare(previous, release.snapshot).summary()
            self.stdout.write(_("Changes for clients: %(summary)s") % {"summary": summary})
