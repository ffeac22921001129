"""The figures of a help tree that staff read, per outcome and per question, over a period of days
(triage.analytics.tree_figures counts them)."""

from dataclasses import dataclass, field
from datetime import date


@dataclass
class OutcomeFigures:
    node_id: int
    label: str
    removed: bool = False  # no longer in the release clients see
    reached_by: tuple[str, ...] = ()  # the labels of the shortest path of answers from the start
    visits: int = 0
    helpful_yes: int = 0
    helpful_no: int = 0
    contact_starts: int = 0
    cases: int = 0

    @property
    def deflection(self) -> float | None:
        """1 − cases filed ÷ visits: the share of its visits after which no case was filed; None without visits."""
        return None if not self.visits else 1 - self.cases / self.visits


@dataclass
class ChoiceFigures:
    slug: str
    label: str
    removed: bool = False
    taken: int = 0
    share: float | None = None  # of the question's visits


@dataclass
class QuestionFigures:
    node_id: int
    label: str
    removed: bool = False
    reached_by: tuple[str, ...] = ()
    visits: int = 0
    choices: list[ChoiceFigures] = field(default_factory=list)

    @property
    def taken(self) -> int:
        return sum(choice.taken for choice in self.choices)

    @property
    def drop_off(self) -> int:
        """Visits after which no choice was taken (never below 0)."""
        return max(0, self.visits - self.taken)

    @property
    def drop_off_rate(self) -> float | None:
        return None if not self.visits else self.drop_off / self.visits


@dataclass
class TreeFigures:
    start: date
    end: date
    outcomes: list[OutcomeFigures]
    questions: list[QuestionFigures]

    @property
    def outcome_visits(self) -> int:
        return sum(row.visits for row in self.outcomes)

    @property
    def cases(self) -> int:
        return sum(row.cases for row in self.outcomes)

    @property
    def deflection(self) -> float | None:
        visits = self.outcome_visits
        return None if not visits else 1 - self.cases / visits
