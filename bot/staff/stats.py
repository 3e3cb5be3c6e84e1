"""`intake stats`: the figures for a period and a clinic, as tables in the terminal."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.staff.selection import (
    Selection,
    StaffData,
    add_selection_arguments,
    load,
    open_existing_db,
)
from bot.staff.tables import Table, summary_tables
from bot.staff.texts import language, text
from flows.model import Language

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table as RichTable


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)


def print_stats(data: StaffData, lang: Language, console: Console) -> None:
    """Every summary table, titled with the selection."""
    from rich.rule import Rule

    console.print(Rule(text(lang, "stats.title", selection=data.selection.describe(lang))))
    if not data.intakes and not data.progress:
        console.print(text(lang, "format.nothing_yet"))
        return
    for table in summary_tables(data, lang):
        console.print(rich_table(table))


def rich_table(table: Table) -> RichTable:
    """A summary table as rich draws it: figures right-aligned, the note as its caption."""
    from rich import box
    from rich.table import Table as RichTable

    shown = RichTable(
        *table.headers,
        title=table.title,
        caption=table.note or None,
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption_justify="left",
    )
    for column in shown.columns[1:]:
        column.justify = "right"
    for row in table.rows:
        shown.add_row(*row)
    return shown


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    with open_existing_db(args.db) as db:
        data = load(db, Selection.from_args(args))
    print_stats(data, language(args.lang), Console())
    return 0
