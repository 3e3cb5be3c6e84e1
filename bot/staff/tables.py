"""The figures as labelled tables in the staff language, for the terminal and the report alike."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.staff import figures
from bot.staff.selection import StaffData
from bot.staff.texts import code_label, percent, step_label, text
from flows.model import Language


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of text cells; every column after the first holds figures."""

    key: str  # section name, for tests and anchors
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def _counted(
    lang: Language, key: str, column: str, intakes: Sequence[figures.Row], note: str = ""
) -> Table:
    """A column's codes with their counts and shares of all selected intakes."""
    tallied = figures.tally(intakes, column)
    rows = tuple(
        (
            code_label(lang, column, code),
            str(count),
            percent(lang, figures.share(count, len(intakes))),
        )
        for code, count in tallied.items()
    )
    headers = ("", text(lang, "header.count"), text(lang, "header.share"))
    return Table(key, text(lang, f"section.{key}"), headers, rows, note)


def overview_table(data: StaffData, lang: Language) -> Table:
    numbers = figures.overview(data)
    rows = (
        (text(lang, "stats.started"), str(numbers.started)),
        (text(lang, "stats.completed"), str(numbers.completed)),
        (text(lang, "stats.completion"), percent(lang, numbers.completion)),
        (text(lang, "stats.older_child"), str(numbers.older_child)),
    )
    return Table("overview", text(lang, "section.overview"), ("", text(lang, "header.count")), rows)


def funnel_table(data: StaffData, lang: Language) -> Table:
    steps = figures.funnel(data)
    started = steps[0].reached
    rows = tuple(
        (
            step_label(lang, step.step),
            str(step.reached),
            percent(lang, figures.share(step.reached, started)),
            str(step.stopped) if step.step != figures.LAST_STEP else text(lang, "format.no_figure"),
        )
        for step in steps
    )
    headers = (
        text(lang, "header.step"),
        text(lang, "header.reached"),
        text(lang, "header.of_started"),
        text(lang, "header.stopped"),
    )
    return Table("funnel", text(lang, "section.funnel"), headers, rows, text(lang, "note.funnel"))


def judgement_table(data: StaffData, lang: Language, column: str) -> Table:
    rows = tuple(
        (
            code_label(lang, column, row.code),
            str(row.count),
            percent(lang, row.of_judged),
            percent(lang, row.of_clear),
            percent(lang, row.research, about=True),
        )
        for row in figures.judgement_shares(data.intakes, column)
    )
    headers = (
        "",
        text(lang, "header.count"),
        text(lang, "header.judged"),
        text(lang, "header.clear"),
        text(lang, "header.research"),
    )
    note = text(lang, "note.research") if column == figures.JUDGEMENTS[-1] else ""
    return Table(column, text(lang, f"section.{column}"), headers, rows, note)


def roles_table(data: StaffData, lang: Language) -> Table:
    rows = tuple(
        (
            code_label(lang, "role", row.role),
            str(row.count),
            percent(lang, row.share),
            percent(lang, row.baby_affected),
            percent(lang, row.wants_to_understand),
        )
        for row in figures.role_figures(data.intakes)
    )
    headers = (
        "",
        text(lang, "header.count"),
        text(lang, "header.share"),
        text(lang, "header.affected"),
        text(lang, "header.understand"),
    )
    return Table("roles", text(lang, "section.roles"), headers, rows, text(lang, "note.roles"))


def summary_tables(data: StaffData, lang: Language) -> list[Table]:
    """Every table `intake stats` prints and `intake report` shows, in order."""
    intakes = data.intakes
    return [
        overview_table(data, lang),
        funnel_table(data, lang),
        _counted(lang, "suggestions", "suggestion", intakes),
        *(judgement_table(data, lang, column) for column in figures.JUDGEMENTS),
        roles_table(data, lang),
        _counted(lang, "languages", "lang", intakes),
        _counted(lang, "safety", "safety_level", intakes, text(lang, "note.safety")),
        _counted(lang, "safety_answer", "safety_answer", intakes),
    ]
