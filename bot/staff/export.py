"""`intake export`: the intake records as CSV, JSON or for REDCap, with the codebook beside them.

``--format redcap --out DIR`` writes REDCap's import CSV and its data dictionary in English
and Swedish (`bot.staff.redcap`) into DIR, with the bilingual codebook. Free text is left out
unless ``--with-free-text`` is given: even scrubbed, it is the one column in a parent's own
words. An export holding it is readable by its owner only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from collections.abc import Sequence
from pathlib import Path

import storage
from bot.staff import redcap
from bot.staff.codebook import codebook, codebook_path, columns_of, write_codebook
from bot.staff.selection import Selection, add_selection_arguments, open_existing_db
from bot.staff.texts import language, text
from flows.model import Language
from storage.staff import FREE_TEXT

FORMATS = ("csv", "json", "redcap")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="file format (default: from --out's suffix, else csv); redcap writes a folder",
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="file to write (redcap: a folder)"
    )
    parser.add_argument(
        "--with-free-text",
        action="store_true",
        help="include what parents wrote (scrubbed of personal details); left out by default",
    )
    add_selection_arguments(parser)


def format_of(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    return "json" if args.out.suffix.lower() == ".json" else "csv"


def write_records(
    rows: Sequence[dict[str, object]], columns: Sequence[str], path: Path, fmt: str
) -> None:
    """The rows, with only these columns; in CSV an empty cell is a missing value."""
    records = [{name: row.get(name) for name in columns} for row in rows]
    if fmt == "json":
        path.write_text(json.dumps(records, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return
    # utf-8-sig: spreadsheet programs then read å, ä and ö in free text correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(records)


def private(path: Path) -> Path:
    """An empty file readable by its owner only, for an export holding free text."""
    path.touch(mode=0o600)
    os.chmod(path, 0o600)
    return path


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    fmt = format_of(args)
    selection = Selection.from_args(args)
    columns = columns_of(with_free_text=args.with_free_text)
    with open_existing_db(args.db) as db:
        rows = storage.intake_rows(
            db, since_week=selection.since, clinic=selection.clinic, columns=columns
        )
    out: Path = args.out
    if fmt == "redcap":
        return run_redcap(args, lang, rows, columns)
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.with_free_text:
        private(out)
    write_records(rows, columns, out, fmt)
    book = codebook_path(out, fmt)
    write_codebook(codebook(columns), book, fmt)
    print(text(lang, "export.done", count=len(rows), out=out, codebook=book))
    if args.with_free_text:
        print(text(lang, "export.free_text"))
    return 0


def run_redcap(
    args: argparse.Namespace, lang: Language, rows: Sequence[dict[str, object]],
    columns: Sequence[str],
) -> int:  # fmt: skip
    """REDCap's records and data dictionaries, and the codebook, into the folder ``--out``."""
    folder: Path = args.out
    folder.mkdir(parents=True, exist_ok=True)
    entries = codebook(columns)
    book = folder / "intake_codebook.csv"
    if args.with_free_text:
        os.chmod(folder, 0o700)
        for path in (redcap.records_file(folder), book):
            private(path)
    redcap.write_records(rows, columns, folder)
    redcap.write_dictionaries(entries, folder, FREE_TEXT)
    write_codebook(entries, book, "csv")
    print(text(lang, "export.redcap_done", count=len(rows), folder=folder))
    if args.with_free_text:
        print(text(lang, "export.free_text"))
    return 0
