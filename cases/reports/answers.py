"""The clients' answers to "Did we resolve your request?" in the service-standard report: counted for each
response class and for each team, in one query.

A case's last answer counts (there is one a case, SatisfactionAnswer). A case merged into another counts
once, as the case that continues it (cases.merging): of the answers given on the pair, only the last
counts, with the class and team of the case that continues; so a client who answered on the merged case
and again on the one that continues counts once, in the period of the later answer.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce

from ..models import SatisfactionAnswer


def percent_rounded_down(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, rounded down to one decimal; None when `whole` is 0.

    Rounded down, so that a share shown at or above a target always meets it.
    """
    return part * 1000 // whole / 10 if whole else None


@dataclass
class Answers:
    """The clients' answers to "Did we resolve your request?" given in a period."""

    count: int = 0
    yes: int = 0

    @property
    def no(self) -> int:
        return self.count - self.yes

    @property
    def yes_percent(self) -> float | None:
        return percent_rounded_down(self.yes, self.count)

    def __add__(self, other):
        return Answers(self.count + other.count, self.yes + other.yes)


def _of_continuing(field):
    """The answered case's `field`, or that of the case it was merged into."""
    return models.Case(
        models.When(case__merged_into__isnull=False, then=F(f"case__merged_into__{field}")),
        default=F(f"case__{field}"),
    )


def count_answers(periods, period_of, begin, end) -> None:
    """Count the answers given from `begin` to `end` in `periods` (`period_of` says whose a moment is):
    in their class's figures (`Period.classes`) and in their team's (`Period.teams`, None for no team).

    An answer of a class no longer offered is not part of the report, as its case is not.
    """
    continuing = Coalesce("case__merged_into_id", "case_id")
    # A later answer on the same pair of merged cases (given at the same moment: the one saved later).
    later = SatisfactionAnswer.objects.filter(
        Q(case_id=OuterRef("continuing")) | Q(case__merged_into_id=OuterRef("continuing")),
        Q(answered_at__gt=OuterRef("answered_at")) | Q(answered_at=OuterRef("answered_at"), pk__gt=OuterRef("pk")),
    )
    answers = (
        SatisfactionAnswer.objects.filter(answered_at__gte=begin, answered_at__lt=end)
        .annotate(continuing=continuing, response_class=_of_continuing("response_class"), team=_of_continuing("team"))
        .filter(~Exists(later))
        .values_list("answered_at", "answer", "response_class", "team")
    )
    for answered_at, answer, response_class, team in answers.order_by():
        period = period_of(answered_at)
        figures = period.classes.get(response_class)
        if figures is None:
            continue
        yes = answer == SatisfactionAnswer.Answer.YES
        for counted in (figures.answers, period.teams.setdefault(team, Answers())):
            counted.count += 1
            counted.yes += yes
