"""The figures staff look at, as plain numbers: shared by `intake stats` and `intake report`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, TypeVar

from sqlite_utils import Database

from bot.staff.selection import ProgressCount, Selection, StaffData, load
from bot.staff.texts import text
from flows.model import Language
from flows.questions import OLDER_CHILD_BANDS, PROGRESS_STEPS, QUESTIONS
from storage.dates import iso_week
from storage.schema import RECORD_COLUMNS

#: The small-cell rule: a count below this is shown as "< 5" and no share is given for it.
SMALL_CELL: Final = 5
#: Fewest clear judgements for comparing this selection's shares with the research sample.
MIN_FOR_COMPARISON: Final = 20

#: The research sample's proportions (the MIP study, PRODUCT.md): about half the babies
#: affected; about two thirds of the mothers wanting to understand, one third wanting advice.
RESEARCH_SHARES: Final[Mapping[str, Mapping[str, float]]] = {
    "baby_judgement": {"affected": 1 / 2, "not_affected": 1 / 2},
    "parent_judgement": {"understand": 2 / 3, "advice": 1 / 3},
}
#: The judgement codes that belong to neither of the study's two groups.
NOT_CLEAR: Final[Mapping[str, str]] = {"baby_judgement": "unclear", "parent_judgement": "mixed"}
JUDGEMENTS: Final = tuple(RESEARCH_SHARES)

#: The question after which the older-child path ends the conversation early.
OLDER_CHILD_STEP: Final = next(q.key for q in QUESTIONS if OLDER_CHILD_BANDS & set(q.codes))
#: The step every counted conversation reaches first: consent has just been given.
FIRST_STEP: Final = PROGRESS_STEPS[0]
LAST_STEP: Final = PROGRESS_STEPS[-1]

Row = Mapping[str, object]
K = TypeVar("K")


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def small(count: int) -> bool:
    """True for a count the small-cell rule hides (0 to 4)."""
    return count < SMALL_CELL


def hidden_cells(counts: Mapping[K, int]) -> set[K]:
    """Which counts of a breakdown to hide: every small one, and one more where needed.

    A breakdown whose total is shown would give a lone hidden count away by subtraction, so
    when exactly one count is small, the smallest other count is hidden as well.
    """
    hidden = {key for key, count in counts.items() if small(count)}
    if len(hidden) == 1:
        shown = [key for key in counts if key not in hidden]
        if shown:
            hidden.add(min(shown, key=lambda key: counts[key]))
    return hidden


def tally(rows: Iterable[Row], column: str) -> dict[str | None, int]:
    """How many rows hold each code of a column: every code in codebook order, then None if any."""
    counts = Counter(row.get(column) for row in rows)
    tallied: dict[str | None, int] = {code: counts.get(code, 0) for code in codes_of(column)}
    if counts.get(None):
        tallied[None] = counts[None]
    return tallied


def codes_of(column: str) -> tuple[str, ...]:
    return RECORD_COLUMNS[column].codes


def older_children(intakes: Iterable[Row]) -> int:
    """Intakes that ended early because the child is older than MIP serves."""
    return sum(1 for row in intakes if row.get("outcome") == "older_child")


def reached(progress: Iterable[ProgressCount]) -> dict[str, int]:
    """How many conversations reached each step, in the conversation's order."""
    counts: Counter[str] = Counter()
    for row in progress:
        counts[row.question] += row.count
    return {step: counts.get(step, 0) for step in PROGRESS_STEPS}


@dataclass(frozen=True, slots=True)
class FunnelStep:
    step: str
    reached: int
    stopped: int  # reached this step and went no further (or has not yet); 0 at the last step


def funnel(data: StaffData) -> list[FunnelStep]:
    """Step by step: how many got there, and how many stopped there.

    Conversations on the older-child path end, complete, after the age question; they are
    not counted as stopping there. Counts below zero (an erased intake, a period boundary
    between a step and its completion) are shown as zero.
    """
    counts = reached(data.progress)
    older = older_children(data.intakes)
    steps: list[FunnelStep] = []
    for index, step in enumerate(PROGRESS_STEPS):
        following = PROGRESS_STEPS[index + 1] if index + 1 < len(PROGRESS_STEPS) else None
        went_on = counts[following] if following else counts[step]
        ended = older if step == OLDER_CHILD_STEP else 0
        steps.append(FunnelStep(step, counts[step], max(0, counts[step] - went_on - ended)))
    return steps


@dataclass(frozen=True, slots=True)
class Overview:
    started: int  # conversations that gave consent and reached the first question
    completed: int  # intakes stored (a suggestion, or the older-child end)
    older_child: int

    @property
    def completion(self) -> float | None:
        return share(self.completed, self.started)


def overview(data: StaffData) -> Overview:
    counts = reached(data.progress)
    return Overview(counts[FIRST_STEP], len(data.intakes), older_children(data.intakes))


@dataclass(frozen=True, slots=True)
class JudgementShare:
    code: str
    count: int
    of_judged: float | None
    of_clear: float | None  # None for the code that is neither of the study's groups
    research: float | None


def judgement_shares(intakes: Sequence[Row], column: str) -> list[JudgementShare]:
    """One judgement's codes, their shares, and the research sample's share beside them.

    Intakes that ended on the older-child path carry no judgement and are left out.
    """
    judged = [row[column] for row in intakes if row.get(column) is not None]
    clear = [code for code in judged if code != NOT_CLEAR[column]]
    research = RESEARCH_SHARES[column]
    return [
        JudgementShare(
            code,
            judged.count(code),
            share(judged.count(code), len(judged)),
            None if code == NOT_CLEAR[column] else share(clear.count(code), len(clear)),
            research.get(code),
        )
        for code in codes_of(column)
    ]


@dataclass(frozen=True, slots=True)
class RoleFigures:
    role: str | None
    count: int
    share: float | None
    babies_judged: int  # of this role's intakes, those with a baby judgement
    babies_affected: int
    parents_judged: int
    wanting_to_understand: int

    @property
    def baby_affected(self) -> float | None:
        return share(self.babies_affected, self.babies_judged)

    @property
    def wants_to_understand(self) -> float | None:
        return share(self.wanting_to_understand, self.parents_judged)


def role_figures(intakes: Sequence[Row]) -> list[RoleFigures]:
    """Caregiver roles, with how the two judgements fall for each (the study had mothers only)."""
    figures = []
    for role, count in tally(intakes, "role").items():
        rows = [row for row in intakes if row.get("role") == role]
        babies = [row["baby_judgement"] for row in rows if row.get("baby_judgement")]
        parents = [row["parent_judgement"] for row in rows if row.get("parent_judgement")]
        figures.append(
            RoleFigures(
                role,
                count,
                share(count, len(intakes)),
                len(babies),
                babies.count("affected"),
                len(parents),
                parents.count("understand"),
            )
        )
    return figures


# ---- over time


def week_start(week: str) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last``, gaps included, so time is drawn to scale."""
    day, end = week_start(first), week_start(last)
    weeks = []
    while day <= end:
        weeks.append(iso_week(day))
        day += timedelta(days=7)
    return weeks


@dataclass(frozen=True, slots=True)
class Weekly:
    weeks: tuple[str, ...]
    started: tuple[int, ...]
    completed: tuple[int, ...]
    intakes: tuple[Row, ...]

    def by(self, column: str) -> dict[str | None, tuple[int, ...]]:
        """Per code of ``column``, how many intakes each week (codes that never occur left out)."""
        index = {week: number for number, week in enumerate(self.weeks)}
        series: dict[str | None, list[int]] = {}
        for code in tally(self.intakes, column):
            series[code] = [0] * len(self.weeks)
        for row in self.intakes:
            series[row.get(column)][index[str(row["week"])]] += 1  # type: ignore[index]
        return {code: tuple(counts) for code, counts in series.items() if any(counts)}


def weekly(data: StaffData) -> Weekly:
    """Started and completed conversations week by week, and the intakes to break down."""
    seen = {str(row["week"]) for row in data.intakes} | {row.week for row in data.progress}
    if not seen:
        return Weekly((), (), (), ())
    weeks = weeks_between(min(seen), max(seen))
    started: Counter[str] = Counter()
    for row in data.progress:
        if row.question == FIRST_STEP:
            started[row.week] += row.count
    completed = Counter(str(row["week"]) for row in data.intakes)
    return Weekly(
        tuple(weeks),
        tuple(started.get(week, 0) for week in weeks),
        tuple(completed.get(week, 0) for week in weeks),
        data.intakes,
    )


# ---- the headline figures of the bot's /stats


@dataclass(frozen=True, slots=True)
class Headline:
    """The figures staff see in Telegram: counts only, never free text.

    The breakdowns hold each code's count as shown, the small-cell rule applied ("< 5").
    """

    this_week: int
    total: int
    suggestions: Mapping[str, str]  # suggestion code -> intakes, as shown
    safety: Mapping[str, str]  # safety level shown (other than none) -> intakes, as shown


def shown_counts(counts: Mapping[str | None, int], small_text: str) -> dict[str, str]:
    """The codes that occur, each with its count or ``small_text`` under the small-cell rule."""
    present = {code: n for code, n in counts.items() if code and n}
    hidden = hidden_cells(present)
    return {code: small_text if code in hidden else str(n) for code, n in present.items()}


def headline(db: Database, lang: Language, today: date | None = None) -> Headline:
    """This week's and all intakes, by suggestion and by safety message shown (in ``lang``)."""
    small_text = text(lang, "format.small", limit=SMALL_CELL)
    intakes = load(db, Selection()).intakes
    week = iso_week(today or date.today())
    calm = codes_of("safety_level")[0]
    safety = {code: n for code, n in tally(intakes, "safety_level").items() if code != calm}
    return Headline(
        this_week=sum(1 for row in intakes if row["week"] == week),
        total=len(intakes),
        suggestions=shown_counts(tally(intakes, "suggestion"), small_text),
        safety=shown_counts(safety, small_text),
    )
