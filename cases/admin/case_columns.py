"""The case list's columns and the case page's read-only fields: times in Eastern time, lateness in
words, and what the client read and wrote marked in its language."""

from django.contrib import admin
from django.db.models import F
from django.template.defaultfilters import linebreaksbr
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..models import Case, SatisfactionAnswer
from .display import all_closure_days, eastern, eastern_field, overdue_marker


class CaseColumns:
    """Columns and fields of CaseAdmin."""

    received = eastern_field("received_at")
    first_response_due = eastern_field("due_at", description=_("first response due"))
    first_response = eastern_field("first_response_at")
    acknowledged = eastern_field("acknowledged_at")
    resolved = eastern_field("resolved_at")
    closed = eastern_field("closed_at")
    anonymised = eastern_field("anonymised_at")

    def get_list_display(self, request):
        """The overdue column reads the closure days once for the whole page, not once a row."""
        closure_days = []

        @admin.display(description=_("overdue"), ordering=F("reply_due_at").asc(nulls_last=True))
        def overdue(case):
            if not case.is_overdue:
                return ""
            if not closure_days:
                closure_days.append(all_closure_days())
            return overdue_marker(case, closure_days[0])

        return [overdue if name == "overdue" else name for name in super().get_list_display(request)]

    @admin.display(description=_("reference"), ordering="reference")
    def display_reference(self, case):
        return case.display_reference

    @admin.display(description=_("overdue"))
    def overdue(self, case):
        return overdue_marker(case, all_closure_days()) if case.is_overdue else ""

    @admin.display(description=_("next reply due"), ordering=F("reply_due_at").asc(nulls_last=True))
    def due(self, case):
        return eastern(case.reply_due_at)

    @admin.display(description=_("next reply due"))
    def next_reply(self, case):
        if case.reply_due_at is None:
            return _("Nothing waits for a reply.")
        marker = self.overdue(case)
        return format_html("{} {}", eastern(case.reply_due_at), marker) if marker else eastern(case.reply_due_at)

    @admin.display(description=Case._meta.get_field("acknowledgment_withheld").verbose_name)
    def withheld(self, case):
        """In words, not the admin's icon alone."""
        return _("Yes: the address had had its daily number already") if case.acknowledgment_withheld else _("No")

    @admin.display(description=_("target met"))
    def service_standard(self, case):
        met = case.met_standard
        if met is None:
            if case.is_overdue:
                return format_html('<strong class="case-overdue">{}</strong>', _("Overdue: no first response yet"))
            return _("Not yet: no first response")
        return _("Yes: first response by its target") if met else _("No: first response after its target")

    # What the client read and wrote is in the case's language (that of its pages), marked so, for
    # screen readers to speak it in that language whatever the page's.

    @admin.display(description=Case._meta.get_field("outcome_title").verbose_name)
    def guidance_reached(self, case):
        if not case.outcome_title:
            return self.get_empty_value_display()
        return format_html('<span lang="{}">{}</span>', case.language, case.outcome_title)

    @admin.display(description=_("answers in the help tool"))
    def help_tool_answers(self, case):
        if not case.path:
            return _("Sent from the contact page, not from the help tool.")
        return format_html(
            '<dl lang="{}">{}</dl>',
            case.language,
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((step["question"], step["answer"]) for step in case.path)),
        )

    @admin.display(description=_("description"))
    def description_text(self, case):
        return format_html('<div lang="{}">{}</div>', case.language, linebreaksbr(case.description, autoescape=True))

    # The client's answer to "Did we resolve your request?" (cases.satisfaction), the last one given.

    @admin.display(description=_("client's answer to “Did we resolve your request?”"))
    def client_answer(self, case):
        answer = _satisfaction(case)
        if answer is None:
            return _("Not answered")
        return format_html("{} ({})", answer.get_answer_display(), eastern(answer.answered_at))

    @admin.display(description=_("client's comment"))
    def client_comment(self, case):
        answer = _satisfaction(case)
        if answer is None or not answer.comment:
            return self.get_empty_value_display()
        return format_html('<div lang="{}">{}</div>', answer.language, linebreaksbr(answer.comment, autoescape=True))


def _satisfaction(case):
    try:
        return case.satisfaction
    except SatisfactionAnswer.DoesNotExist:
        return None
