"""The codebook (data dictionary) of exported intakes: every column, its meaning, its codes.

For each column that holds an answer, the question in exactly the words parents saw and each
option's words, from the parents' catalogs (flows/texts); for every column, what a blank
cell means. In English and Swedish, written beside every export as CSV or JSON, and as
Markdown into docs/codebook.md (``python -m bot.staff.codebook > docs/codebook.md``; a test
keeps it fresh). It refers to nothing but itself and the export: staff get no source code.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.staff.texts import QUESTION_OF_COLUMN, code_label, column_meaning, table_meaning, text
from flows import texts as parent_texts
from flows.model import FLOW_VERSION, LANGUAGES, Language
from flows.questions import OLDER_CHILD_QUESTIONS, QUESTION_BY_KEY
from flows.record import RETIRED_FIELDS
from storage.schema import RECORD_COLUMNS, TABLES
from storage.staff import FREE_TEXT

TABLE = "intakes"
#: Every column of an exported intake, in order.
EXPORT_COLUMNS: tuple[str, ...] = tuple(TABLES[TABLE].columns)

Bilingual = Mapping[Language, str]


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    label: Bilingual  # as staff call it
    parents_saw: Bilingual | None  # the option's words, for a question's codes


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    meaning: Bilingual
    asked: Bilingual | None  # the question, exactly as parents saw it; None if not a question
    blank: Bilingual
    codes: tuple[Code, ...]


def columns_of(*, with_free_text: bool) -> tuple[str, ...]:
    """The exported columns; the free text only when asked for."""
    return tuple(c for c in EXPORT_COLUMNS if with_free_text or c != FREE_TEXT)


def question_of(column: str) -> str | None:
    """The question whose answer a column holds, if it holds one."""
    question = QUESTION_OF_COLUMN.get(column, column)
    return question if question in QUESTION_BY_KEY else None


def both(key: str) -> dict[Language, str]:
    """A parents' catalog text in both languages, its placeholders left as they are."""
    return {lang: parent_texts.catalog(lang)[key].strip() for lang in LANGUAGES}


def blank_meaning(column: str) -> dict[Language, str]:
    if column == FREE_TEXT:
        key = "blank.free_text"
    elif column in RETIRED_FIELDS:
        key = "blank.retired"
    elif (
        column not in RECORD_COLUMNS
        or RECORD_COLUMNS[column].required
        or question_of(column) in OLDER_CHILD_QUESTIONS
    ):
        key = "blank.never"
    else:
        key = "blank.older_child"
    return {lang: text(lang, key) for lang in LANGUAGES}


def codebook(columns: Sequence[str]) -> list[Column]:
    """The entries for these columns of the intakes table, in both languages."""
    entries = []
    for name in columns:
        question = question_of(name)
        codes = RECORD_COLUMNS[name].codes if name in RECORD_COLUMNS else ()
        entries.append(
            Column(
                name,
                {lang: column_meaning(lang, TABLE, name) for lang in LANGUAGES},
                both(f"q.{question}") if question else None,
                blank_meaning(name),
                tuple(
                    Code(
                        code,
                        {lang: code_label(lang, name, code) for lang in LANGUAGES},
                        both(f"o.{question}.{code}") if question else None,
                    )
                    for code in codes
                ),
            )
        )
    return entries


def codebook_path(out: Path, fmt: str) -> Path:
    """Where the codebook of an export goes: ``intakes.csv`` -> ``intakes.codebook.csv``."""
    base = out.name[: -len(out.suffix)] if out.suffix else out.name
    return out.with_name(f"{base}.codebook.{fmt}")


CSV_HEADER = (
    "column", "code", "meaning_en", "meaning_sv", "parents_saw_en", "parents_saw_sv",
    "blank_en", "blank_sv",
)  # fmt: skip


def write_csv(entries: Sequence[Column], path: Path) -> None:
    """One row per column (meaning, question, blank), then one per code (label, option)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_HEADER)
        for entry in entries:
            asked = entry.asked or {}
            writer.writerow([
                entry.name, "", entry.meaning["en"], entry.meaning["sv"],
                asked.get("en", ""), asked.get("sv", ""), entry.blank["en"], entry.blank["sv"],
            ])  # fmt: skip
            for code in entry.codes:
                saw = code.parents_saw or {}
                writer.writerow([
                    entry.name, code.code, code.label["en"], code.label["sv"],
                    saw.get("en", ""), saw.get("sv", ""), "", "",
                ])  # fmt: skip


def as_json(entries: Sequence[Column]) -> dict[str, object]:
    return {
        "table": TABLE,
        "flow_version": FLOW_VERSION,
        "description": {lang: table_meaning(lang, TABLE) for lang in LANGUAGES},
        "columns": [
            {
                "name": entry.name,
                "meaning": entry.meaning,
                "asked": entry.asked,
                "blank": entry.blank,
                "codes": {code.code: code.label for code in entry.codes},
                "parents_saw": {
                    code.code: code.parents_saw for code in entry.codes if code.parents_saw
                },
            }
            for entry in entries
        ],
    }


def write_json(entries: Sequence[Column], path: Path) -> None:
    path.write_text(
        json.dumps(as_json(entries), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def write_codebook(entries: Sequence[Column], path: Path, fmt: str) -> None:
    (write_json if fmt == "json" else write_csv)(entries, path)


def _cell(value: str) -> str:
    """A text in a Markdown table cell: one line, no column breaks."""
    return " ".join(value.split()).replace("|", "\\|")


def markdown(entries: Sequence[Column]) -> str:
    """The codebook as Markdown, both languages side by side."""
    lines = [
        f"# {text('en', 'codebook.title')} / {text('sv', 'codebook.title')}",
        "",
        "Generated by `python -m bot.staff.codebook > docs/codebook.md`; a test fails when it "
        "is stale. `intake export` writes the same codebook beside every export.",
        "",
        text("en", "codebook.intro", version=FLOW_VERSION),
        "",
        text("sv", "codebook.intro", version=FLOW_VERSION),
        "",
    ]
    for entry in entries:
        lines += [f"## `{entry.name}`", ""]
        lines += [f"- en: {entry.meaning['en']}", f"- sv: {entry.meaning['sv']}"]
        if entry.asked:
            lines += [
                f"- {text('en', 'codebook.asked')} (en): “{_cell(entry.asked['en'])}”",
                f"- {text('sv', 'codebook.asked')} (sv): ”{_cell(entry.asked['sv'])}”",
            ]
        lines += [
            f"- {text('en', 'codebook.blank')}: {entry.blank['en']} / {entry.blank['sv']}",
            "",
        ]
        if entry.codes:
            saw = entry.codes[0].parents_saw is not None
            head = f"| code | {text('en', 'codebook.label')} | {text('sv', 'codebook.label')} |"
            rule = "| --- | --- | --- |"
            if saw:
                head += f" {text('en', 'codebook.parents_saw')} | "
                head += f"{text('sv', 'codebook.parents_saw')} |"
                rule += " --- | --- |"
            lines += [head, rule]
            for code in entry.codes:
                row = f"| `{code.code}` | {code.label['en']} | {code.label['sv']} |"
                if code.parents_saw:
                    row += f" {_cell(code.parents_saw['en'])} | {_cell(code.parents_saw['sv'])} |"
                lines.append(row)
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown(codebook(EXPORT_COLUMNS)))
