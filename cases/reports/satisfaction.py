"""The service-standard report's answers to "Did we resolve your request?" for each team: a small table a
team on the page (a row a period, its share of Yes drawn as a bar beside the figure), and a CSV file of a
line a period and team.

Every team is shown, in the order of its name in the language of the page; the answers about cases with
no team (their team was deleted) form a last row, "No team", when there are any. The team names are one
query, whatever the number of teams.
"""

import unicodedata
from dataclasses import dataclass

from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carmsupport.tables import Column, csv_response, page_table
from helpdesk.templatetags.dates import percent

from ..models import Team
from . import service_standard as reports
from .answers import Answers
from .charts import yes_bar
from .tables import FIRST_DAY, LAST_DAY, PERIOD, period_label

TEAM_TABLE = "teams"  # ?table=teams&format=csv: the CSV file of each team's answers


@dataclass(frozen=True)
class TeamLine:
    """A team's answers in a period."""

    period: reports.Period
    team: str  # the team's name, or "No team"
    answers: Answers


def _sort_key(name):
    """A name's place in the list: without its accents and case, so that "Équipe" comes before "Finances"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


def teams(periods) -> list[tuple[int | None, str]]:
    """(id, name) of every team, by name in the language of the moment; then (None, "No team") when
    cases with no team had answers in `periods`."""
    named = sorted(
        ((team.pk, str(team.name)) for team in Team.objects.only("pk", "name_en", "name_fr")),
        key=lambda team: (_sort_key(team[1]), team[0]),
    )
    if any(None in period.teams for period in periods):
        named.append((None, _("No team")))
    return named


def team_lines(periods, team, name) -> list[TeamLine]:
    return [TeamLine(period, name, period.teams.get(team, Answers())) for period in periods]


def _yes_percent_shown(line):
    if line.answers.count == 0:
        return _("no answers")
    return format_html("{} {}", yes_bar(line.answers), percent(floatformat(line.answers.yes_percent, 1)))


TEAM = Column(gettext_lazy("Team"), lambda line: line.team)
ANSWERS = Column(
    gettext_lazy("Answers"),
    lambda line: line.answers.count,
    file_header=gettext_lazy("Answers to “Did we resolve your request?”"),
)
YES = Column(gettext_lazy("Yes"), lambda line: line.answers.yes, file_header=gettext_lazy("Answered Yes"))
NO = Column(gettext_lazy("No"), lambda line: line.answers.no, file_header=gettext_lazy("Answered No"))
YES_PERCENT = Column(
    gettext_lazy("Percentage Yes"),
    lambda line: "" if line.answers.yes_percent is None else f"{line.answers.yes_percent:.1f}",
    shown=_yes_percent_shown,
    file_header=gettext_lazy("Percentage answered Yes"),
)
TEAM_COLUMNS = [ANSWERS, YES, NO, YES_PERCENT]
TEAM_FILE = [PERIOD, FIRST_DAY, LAST_DAY, TEAM, *TEAM_COLUMNS]


def _label(line):
    return period_label(line.period)


def team_tables(periods) -> list[dict]:
    """A table a team (its id for the page, its name, its rows), "No team" last when it had answers."""
    return [
        {
            "id": f"resolved-team-{'none' if team is None else team}",
            "name": name,
            "table": page_table(TEAM_COLUMNS, team_lines(periods, team, name), _label),
        }
        for team, name in teams(periods)
    ]


def team_csv(periods, by):
    """Each team's answers as a CSV file: a line a period and team."""
    named = teams(periods)
    filename = f"service-standard-resolved-by-team-by-{by}-{periods[0].first:%Y-%m-%d}-to-{periods[-1].last:%Y-%m-%d}"
    lines = [TeamLine(period, name, period.teams.get(team, Answers())) for period in periods for team, name in named]
    return csv_response(f"{filename}.csv", TEAM_FILE, lines)
