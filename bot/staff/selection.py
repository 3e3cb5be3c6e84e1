"""Which intakes a staff command looks at: the database, a first week, a clinic, a language."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

import storage
from bot import settings
from bot.settings import ConfigError
from bot.staff.texts import text
from flows.model import LANGUAGES, Language
from storage.dates import check_week
from storage.schema import CLINIC_CODE
from storage.staff import FREE_TEXT, INTAKE_COLUMNS, ProgressCount

#: The columns figures, tables and charts read: all but the free text, which none shows.
SHOWN_COLUMNS: tuple[str, ...] = tuple(c for c in INTAKE_COLUMNS if c != FREE_TEXT)


def week_argument(value: str) -> str:
    """An ISO week from the command line, such as 2026-W40."""
    try:
        return check_week(value.strip().upper())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO week like 2026-W40: {value!r}") from None


def clinic_argument(value: str) -> str:
    """A clinic code from the command line (letters, digits, - and _)."""
    if not CLINIC_CODE.fullmatch(value):
        raise argparse.ArgumentTypeError(f"not a clinic code: {value!r}")
    return value


def add_database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")


def add_language_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=LANGUAGES, default="en", help="language of labels and headings"
    )


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --since, --clinic and --lang, as every figure-making command takes them."""
    add_database_argument(parser)
    parser.add_argument(
        "--since",
        type=week_argument,
        metavar="WEEK",
        help="first ISO week to include, e.g. 2026-W40",
    )
    parser.add_argument(
        "--clinic", type=clinic_argument, metavar="CODE", help="only intakes from this clinic"
    )
    add_language_argument(parser)


@dataclass(frozen=True, slots=True)
class Selection:
    since: str | None = None
    clinic: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Selection:
        return cls(since=args.since, clinic=args.clinic)

    def describe(self, lang: Language) -> str:
        """``clinic north, since 2026-W40`` in the staff language."""
        clinic = (
            text(lang, "selection.clinic", clinic=self.clinic)
            if self.clinic
            else text(lang, "selection.all_clinics")
        )
        period = (
            text(lang, "selection.since", week=self.since)
            if self.since
            else text(lang, "selection.all_weeks")
        )
        return text(lang, "selection.heading", clinic=clinic, period=period)


@dataclass(frozen=True, slots=True)
class StaffData:
    """The selected intakes (free text left out) and progress counts."""

    selection: Selection
    intakes: tuple[dict[str, object], ...]
    progress: tuple[ProgressCount, ...]


def existing_database(path: str | None) -> Path:
    """The intake database's path, refusing one where there is none (a mistyped --db)."""
    file = settings.database_path(path)
    if not file.is_file():
        raise ConfigError(
            f"There is no intake database at {file}: give --db or set INTAKE_DB."
        )
    return file


def open_existing_db(path: str | None) -> Database:
    """The intake database, never creating an empty one where the path is wrong."""
    return storage.open_db(existing_database(path))


def load(db: Database, selection: Selection) -> StaffData:
    """The selection's intakes without their free text, and its progress counts."""
    where = {"since_week": selection.since, "clinic": selection.clinic}
    intakes = storage.intake_rows(db, **where, columns=SHOWN_COLUMNS)
    return StaffData(selection, tuple(intakes), tuple(storage.progress_counts(db, **where)))
