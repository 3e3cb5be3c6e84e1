"""The figures as labelled tables in the staff language, for the terminal and the report alike.

Every table says its n in its title, and follows the small-cell rule (`figures.SMALL_CELL`):
a count below 5 is shown as "< 5" and no share is given for it; where a breakdown's total is
shown, one more count is hidden when a single hidden one could be worked out by subtraction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.staff import figures
from bot.staff.selection import StaffData
from bot.staff.texts import code_label, percent, step_label, text
from flows.model import Language


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of text cells; every column after the first holds figures."""

    key: str  # section name, for tests and anchors
    title: str  # with its n
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""
    n: int = 0


def count_text(lang: Language, count: int, *, hidden: bool | None = None) -> str:
    """A count as shown: the number, or "< 5" when the small-cell rule hides it."""
    if hidden if hidden is not None else figures.small(count):
        return text(lang, "format.small", limit=figures.SMALL_CELL)
    return str(count)


def share_text(lang: Language, share: float | None, *, hidden: bool) -> str:
    return text(lang, "format.no_figure") if hidden else percent(lang, share)


def guarded_share(part: int, whole: int) -> float | None:
    """A share, or None when it would show a small count: the part or the rest below 5."""
    if figures.small(part) or figures.small(whole - part):
        return None
    return figures.share(part, whole)


def titled(lang: Language, key: str, n: int) -> str:
    return text(lang, "format.titled", title=text(lang, f"section.{key}"), n=n)


def _breakdown(
    lang: Language, key: str, column: str, intakes: Sequence[figures.Row], note: str = ""
) -> Table:
    """A column's codes with their counts and shares of all selected intakes."""
    tallied: Mapping[str | None, int] = figures.tally(intakes, column)
    hidden = figures.hidden_cells(tallied)
    rows = tuple(
        (
            code_label(lang, column, code),
            count_text(lang, count, hidden=code in hidden),
            share_text(lang, figures.share(count, len(intakes)), hidden=code in hidden),
        )
        for code, count in tallied.items()
    )
    headers = ("", text(lang, "header.count"), text(lang, "header.share"))
    return Table(key, titled(lang, key, len(intakes)), headers, rows, note, len(intakes))


def overview_table(data: StaffData, lang: Language) -> Table:
    numbers = figures.overview(data)
    rows = (
        (text(lang, "stats.started"), str(numbers.started)),
        (text(lang, "stats.completed"), str(numbers.completed)),
        (text(lang, "stats.completion"), percent(lang, numbers.completion)),
        (text(lang, "stats.older_child"), count_text(lang, numbers.older_child)),
    )
    headers = ("", text(lang, "header.count"))
    title = titled(lang, "overview", numbers.started)
    return Table("overview", title, headers, rows, text(lang, "note.overview"), numbers.started)


def funnel_table(data: StaffData, lang: Language) -> Table:
    steps = figures.funnel(data)
    started = steps[0].reached
    rows = tuple(
        (
            step_label(lang, step.step),
            count_text(lang, step.reached),
            share_text(
                lang, figures.share(step.reached, started), hidden=figures.small(step.reached)
            ),
            count_text(lang, step.stopped)
            if step.step != figures.LAST_STEP
            else text(lang, "format.no_figure"),
        )
        for step in steps
    )
    headers = (
        text(lang, "header.step"),
        text(lang, "header.reached"),
        text(lang, "header.of_started"),
        text(lang, "header.stopped"),
    )
    title = titled(lang, "funnel", started)
    return Table("funnel", title, headers, rows, text(lang, "note.funnel"), started)


def judgement_table(data: StaffData, lang: Language, column: str) -> Table:
    shares = figures.judgement_shares(data.intakes, column)
    judged = sum(row.count for row in shares)
    clear = sum(row.count for row in shares if row.of_clear is not None)
    comparable = clear >= figures.MIN_FOR_COMPARISON
    hidden = figures.hidden_cells({row.code: row.count for row in shares})
    rows = tuple(
        (
            code_label(lang, column, row.code),
            count_text(lang, row.count, hidden=row.code in hidden),
            share_text(lang, row.of_judged, hidden=row.code in hidden),
            share_text(lang, row.of_clear, hidden=row.code in hidden or not comparable),
            percent(lang, row.research, about=True),
        )
        for row in shares
    )
    headers = (
        "",
        text(lang, "header.count"),
        text(lang, "header.judged"),
        text(lang, "header.clear"),
        text(lang, "header.research"),
    )
    notes = [text(lang, "note.judged", judged=judged, clear=clear)]
    if not comparable:
        notes.append(text(lang, "note.too_few", n=clear, minimum=figures.MIN_FOR_COMPARISON))
    if column == figures.JUDGEMENTS[-1]:
        notes.append(text(lang, "note.research"))
    return Table(column, titled(lang, column, judged), headers, rows, " ".join(notes), judged)


def roles_table(data: StaffData, lang: Language) -> Table:
    roles = figures.role_figures(data.intakes)
    hidden = figures.hidden_cells({row.role: row.count for row in roles})
    rows = tuple(
        (
            code_label(lang, "role", row.role),
            count_text(lang, row.count, hidden=row.role in hidden),
            share_text(lang, row.share, hidden=row.role in hidden),
            percent(lang, guarded_share(row.babies_affected, row.babies_judged)),
            percent(lang, guarded_share(row.wanting_to_understand, row.parents_judged)),
        )
        for row in roles
    )
    headers = (
        "",
        text(lang, "header.count"),
        text(lang, "header.share"),
        text(lang, "header.affected"),
        text(lang, "header.understand"),
    )
    n = len(data.intakes)
    return Table("roles", titled(lang, "roles", n), headers, rows, text(lang, "note.roles"), n)


def summary_tables(data: StaffData, lang: Language) -> list[Table]:
    """Every table `intake stats` prints and `intake report` shows, in order."""
    intakes = data.intakes
    return [
        overview_table(data, lang),
        funnel_table(data, lang),
        _breakdown(lang, "suggestions", "suggestion", intakes),
        *(judgement_table(data, lang, column) for column in figures.JUDGEMENTS),
        roles_table(data, lang),
        _breakdown(lang, "languages", "lang", intakes),
        _breakdown(lang, "safety", "safety_level", intakes, text(lang, "note.safety")),
        _breakdown(lang, "safety_answer", "safety_answer", intakes),
    ]
