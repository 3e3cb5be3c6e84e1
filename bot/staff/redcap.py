"""`intake export --format redcap`: the records and a data dictionary REDCap imports.

Research teams keep their data in REDCap. Its data dictionary is a CSV with one row per
field: variable, form, section, field type, label, choices (``code, label | ...``), a note,
and validation. The dictionary is written once per language (the variables and codes are the
same; the labels are the questions as parents saw them in that language), and the records in
REDCap's import form: one row per intake, raw codes, an empty cell for a blank.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.staff.codebook import Column
from flows.model import LANGUAGES, Language

FORM = "intake"
#: REDCap's data dictionary columns, in the order its import expects.
DICTIONARY_HEADER = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
#: Columns REDCap should hold as whole numbers.
INTEGER_COLUMNS = frozenset({"flow_version"})
FREE_TEXT_TYPE = "notes"


def records_file(folder: Path) -> Path:
    return folder / "intake_records.csv"


def dictionary_file(folder: Path, lang: Language) -> Path:
    return folder / f"intake_datadictionary_{lang}.csv"


def choices(entry: Column, lang: Language) -> str:
    """``code, label | code, label``: an answer's words as parents saw them, else staff's label."""
    return " | ".join(
        f"{code.code}, {' '.join((code.parents_saw or code.label)[lang].split())}"
        for code in entry.codes
    )


def field_type(entry: Column, free_text: str) -> str:
    if entry.codes:
        return "radio"
    return FREE_TEXT_TYPE if entry.name == free_text else "text"


def dictionary_rows(
    entries: Sequence[Column], lang: Language, free_text: str
) -> list[dict[str, str]]:
    """One REDCap field per exported column; the first one, ``id``, is the record id."""
    rows = []
    for entry in entries:
        label = (entry.asked or entry.meaning)[lang]
        note = entry.meaning[lang] if entry.asked else ""
        row = dict.fromkeys(DICTIONARY_HEADER, "")
        row.update({
            "Variable / Field Name": entry.name,
            "Form Name": FORM,
            "Field Type": field_type(entry, free_text),
            "Field Label": " ".join(label.split()),
            "Choices, Calculations, OR Slider Labels": choices(entry, lang),
            "Field Note": " ".join(f"{note} {entry.blank[lang]}".split()),
            "Text Validation Type OR Show Slider Number": (
                "integer" if entry.name in INTEGER_COLUMNS else ""
            ),
        })  # fmt: skip
        rows.append(row)
    return rows


def write_dictionaries(
    entries: Sequence[Column], folder: Path, free_text: str
) -> dict[Language, Path]:
    """The data dictionary in each language; plain UTF-8 (REDCap reads no byte-order mark)."""
    written = {}
    for lang in LANGUAGES:
        path = dictionary_file(folder, lang)
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=DICTIONARY_HEADER)
            writer.writeheader()
            writer.writerows(dictionary_rows(entries, lang, free_text))
        written[lang] = path
    return written


def write_records(
    rows: Sequence[Mapping[str, object]], columns: Sequence[str], folder: Path
) -> Path:
    """The records in REDCap's import form: the variables as the header, raw codes, blanks."""
    path = records_file(folder)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else row[c] for c in columns])
    return path
