"""The analytics page's two tables, outcomes and questions, each column declared once (carmsupport.tables):
its header on the page (a link sorting by it) and in the CSV file, and its cell in the file."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from carmsupport.tables import Column, csv_response

from . import analytics


@dataclass(frozen=True)
class AnswerLine:
    """A line of the questions' file: a question's own figures, or (with `answer`) one answer's."""

    node_id: int
    label: str
    reached_by: tuple[str, ...]
    answer: str = ""
    visits: int | None = None
    taken: int | None = None
    share: float | None = None
    drop_off: int | None = None
    drop_off_rate: float | None = None


def answer_lines(questions):
    """Each question's line, then a line for each of its answers."""
    for question in questions:
        node = (question.node_id, question.label, question.reached_by)
        yield AnswerLine(
            *node,
            visits=question.visits,
            taken=question.taken,
            drop_off=question.drop_off,
            drop_off_rate=question.drop_off_rate,
        )
        for choice in question.choices:
            yield AnswerLine(*node, answer=choice.label, taken=choice.taken, share=choice.share)


def _percent(attribute, header, file_header=None):
    """A column of a ratio, in the file as a percentage with one decimal."""
    return Column(
        header, lambda row: analytics.percent(getattr(row, attribute)), file_header=file_header, name=attribute
    )


NODE_ID = Column(_("Node ID"), lambda row: row.node_id)
REACHED_BY = Column(_("Reached by"), lambda row: " › ".join(row.reached_by))
VISITS = Column(_("Visits"), lambda row: row.visits, name="visits")
OUTCOME = Column(_("Outcome"), lambda row: row.label, name="label")
HELPFUL_YES = Column(_("Found what they were looking for"), lambda row: row.helpful_yes, name="helpful_yes")
HELPFUL_NO = Column(_("Did not"), lambda row: row.helpful_no, name="helpful_no")
CONTACT_STARTS = Column(_("Contact form opened"), lambda row: row.contact_starts, name="contact_starts")
CASES = Column(_("Cases filed"), lambda row: row.cases, name="cases")
DEFLECTION = _percent("deflection", _("Deflection rate"), file_header=_("Deflection rate (%)"))
QUESTION = Column(_("Question"), lambda row: row.label, name="label")
ANSWER = Column(_("Answer"), lambda row: row.answer)
TAKEN = Column(_("Answers chosen"), lambda row: row.taken, file_header=_("Times chosen"), name="taken")
SHARE = _percent("share", _("Share of visits (%)"))
DROP_OFF = Column(_("Left without answering"), lambda row: row.drop_off, name="drop_off")
DROP_OFF_RATE = _percent("drop_off_rate", _("Drop-off rate"), file_header=_("Drop-off rate (%)"))

ON_PAGE = {
    "outcomes": [OUTCOME, VISITS, HELPFUL_YES, HELPFUL_NO, CONTACT_STARTS, CASES, DEFLECTION],
    "questions": [QUESTION, VISITS, TAKEN, DROP_OFF, DROP_OFF_RATE],
}
IN_FILE = {
    "outcomes": [NODE_ID, OUTCOME, REACHED_BY, VISITS, HELPFUL_YES, HELPFUL_NO, CONTACT_STARTS, CASES, DEFLECTION],
    "questions": [NODE_ID, QUESTION, REACHED_BY, ANSWER, VISITS, TAKEN, SHARE, DROP_OFF, DROP_OFF_RATE],
}


def table_csv(tree, figures, table, rows):
    """One table as a CSV file, its rows in the page's order: a line an outcome, or a line a question
    and one for each of its answers."""
    lines = answer_lines(rows) if table == "questions" else rows
    return csv_response(f"{tree.slug}-{table}-{figures.start}-{figures.end}.csv", IN_FILE[table], lines)
