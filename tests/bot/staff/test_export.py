"""`intake export`: records round-trip, the codebook covers every column, free text on request."""

from __future__ import annotations

import csv
import json
import re
import stat
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.staff.codebook import EXPORT_COLUMNS, codebook, markdown
from bot.staff.selection import FREE_TEXT
from bot.staff.texts import QUESTION_OF_COLUMN
from flows.model import FLOW_VERSION, LANGUAGES
from flows.questions import QUESTIONS
from flows.texts import catalog
from storage.schema import RECORD_COLUMNS
from tests.support.staff import FREE_TEXT_WORDS

#: Question keys whose answers are stored under another column's name.
QUESTION_COLUMN = {question: column for column, question in QUESTION_OF_COLUMN.items()}
CODEBOOK_DOC = Path(__file__).resolve().parents[3] / "docs" / "codebook.md"


def stored(db_path: Path, **selection: str) -> list[dict[str, object]]:
    with storage.open_db(db_path) as db:
        return storage.intake_rows(db, **selection)


def without_free_text(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{k: v for k, v in row.items() if k != FREE_TEXT} for row in rows]


def export(db_path: Path, out: Path, *extra: str) -> None:
    assert main(["export", "--db", str(db_path), "--out", str(out), *extra]) == 0


def read_csv(path: Path) -> list[dict[str, object]]:
    """Back from CSV: an empty cell is a missing value, the version a number."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    return [
        {k: (int(v) if k == "flow_version" else v or None) for k, v in row.items()} for row in rows
    ]


def test_csv_round_trips_without_free_text(standard_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "intakes.csv"
    export(standard_db, out)
    assert read_csv(out) == without_free_text(stored(standard_db))
    assert FREE_TEXT_WORDS not in out.read_text(encoding="utf-8-sig")


def test_json_round_trips_without_free_text(standard_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "intakes.json"
    export(standard_db, out)  # the format follows the suffix
    assert json.loads(out.read_text(encoding="utf-8")) == without_free_text(stored(standard_db))
    assert FREE_TEXT_WORDS not in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_free_text_only_when_asked_and_scrubbed(
    standard_db: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"with-text.{fmt}"
    export(standard_db, out, "--format", fmt, "--with-free-text")
    content = out.read_text(encoding="utf-8-sig")
    assert FREE_TEXT_WORDS in content
    assert "[phone]" in content
    assert "070-123 45 67" not in content  # scrubbed by storage before it was ever written
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = read_csv(out) if fmt == "csv" else json.loads(content)
    assert rows == stored(standard_db)


def test_a_selection_exports_only_its_intakes(standard_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "south.json"
    export(standard_db, out, "--clinic", "south", "--since", "2026-W48")
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 3
    assert {row["clinic"] for row in rows} == {"south"}
    assert rows == without_free_text(stored(standard_db, clinic="south", since_week="2026-W48"))


def test_the_csv_codebook_covers_every_column_and_code(standard_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "intakes.csv"
    export(standard_db, out)
    book = tmp_path / "intakes.codebook.csv"
    with book.open(encoding="utf-8-sig", newline="") as file:
        entries = list(csv.DictReader(file))
    with out.open(encoding="utf-8-sig", newline="") as file:
        header = next(csv.reader(file))
    assert list(dict.fromkeys(entry["column"] for entry in entries)) == header
    for entry in entries:
        assert entry["meaning_en"]
        assert entry["meaning_sv"]
    for column in header:
        codes = {entry["code"] for entry in entries if entry["column"] == column} - {""}
        assert codes == set(RECORD_COLUMNS[column].codes if column in RECORD_COLUMNS else ())
    for row in read_csv(out):  # every value in the data is explained
        for column, value in row.items():
            if column in RECORD_COLUMNS and RECORD_COLUMNS[column].codes and value is not None:
                assert value in RECORD_COLUMNS[column].codes


def test_the_json_codebook_is_bilingual_and_names_free_text_when_exported(
    standard_db: Path, tmp_path: Path
) -> None:
    export(standard_db, tmp_path / "a.json")
    book = json.loads((tmp_path / "a.codebook.json").read_text(encoding="utf-8"))
    names = [column["name"] for column in book["columns"]]
    assert names == [c for c in EXPORT_COLUMNS if c != FREE_TEXT]
    suggestion = next(c for c in book["columns"] if c["name"] == "suggestion")
    assert suggestion["codes"]["chc"] == {"en": "CHC", "sv": "BVC"}
    assert set(book["description"]) == {"en", "sv"}
    export(standard_db, tmp_path / "b.json", "--with-free-text")
    book = json.loads((tmp_path / "b.codebook.json").read_text(encoding="utf-8"))
    assert [column["name"] for column in book["columns"]] == list(EXPORT_COLUMNS)


def test_the_codebook_in_the_docs_is_fresh() -> None:
    expected = markdown(codebook(EXPORT_COLUMNS))
    assert CODEBOOK_DOC.read_text(encoding="utf-8") == expected, (
        "run `python -m bot.staff.codebook > docs/codebook.md`"
    )


def test_the_codebook_gives_the_questions_as_parents_saw_them_and_what_blank_means(
    standard_db: Path, tmp_path: Path
) -> None:
    export(standard_db, tmp_path / "a.json")
    book = json.loads((tmp_path / "a.codebook.json").read_text(encoding="utf-8"))
    columns = {column["name"]: column for column in book["columns"]}
    for question in QUESTIONS:
        column = columns.get(QUESTION_COLUMN.get(question.key, question.key))
        if column is None:  # the free text, left out of this export
            continue
        for lang in LANGUAGES:
            assert column["asked"][lang] == catalog(lang)[f"q.{question.key}"].strip()
            for code in question.codes:
                assert (
                    column["parents_saw"][code][lang] == catalog(lang)[f"o.{question.key}.{code}"]
                )
    assert columns["suggestion"]["asked"] is None  # a judgement, never asked
    assert columns["baby_reacts"]["blank"]["en"].startswith("Blank when the conversation ended")
    assert columns["role"]["blank"]["en"] == "Never blank."
    assert book["flow_version"] == FLOW_VERSION
    # The older child's intake: blank exactly where the codebook says a blank can be.
    rows = stored(standard_db)
    older = next(row for row in rows if row["outcome"] == "older_child")
    for name, column in columns.items():
        if column["blank"]["en"] == "Never blank.":
            assert all(row[name] is not None for row in rows), name
        elif name != FREE_TEXT:
            assert older[name] is None, name


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_codebook_refers_only_to_what_staff_get(
    standard_db: Path, tmp_path: Path, fmt: str
) -> None:
    export(standard_db, tmp_path / f"a.{fmt}", "--with-free-text")
    content = (tmp_path / f"a.codebook.{fmt}").read_text(encoding="utf-8-sig")
    content += CODEBOOK_DOC.read_text(encoding="utf-8")
    for reference in ("PRODUCT.md", "flows/", "storage/", ".py", "see the code"):
        assert reference not in content


def redcap_export(db: Path, folder: Path, *extra: str) -> dict[str, list[dict[str, str]]]:
    assert (
        main(["export", "--db", str(db), "--format", "redcap", "--out", str(folder), *extra]) == 0
    )
    read = {}
    for name in ("intake_records", "intake_datadictionary_en", "intake_datadictionary_sv"):
        raw = (folder / f"{name}.csv").read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")  # REDCap reads no byte-order mark
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as file:
            read[name] = list(csv.DictReader(file))
    return read


def test_redcap_gets_a_data_dictionary_in_both_languages_and_records_it_can_import(
    standard_db: Path, tmp_path: Path
) -> None:
    files = redcap_export(standard_db, tmp_path / "redcap")
    english, swedish = files["intake_datadictionary_en"], files["intake_datadictionary_sv"]
    header = list(english[0])
    assert header[:6] == [
        "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
        "Choices, Calculations, OR Slider Labels",
    ]  # fmt: skip
    variables = [field["Variable / Field Name"] for field in english]
    assert variables == [c for c in EXPORT_COLUMNS if c != FREE_TEXT]
    assert variables[0] == "id"  # REDCap's record id comes first
    assert [field["Variable / Field Name"] for field in swedish] == variables
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", name) for name in variables)
    fields = {field["Variable / Field Name"]: field for field in english}
    assert fields["role"]["Field Type"] == "radio"
    assert fields["role"]["Field Label"] == catalog("en")["q.role"]
    assert {f["Variable / Field Name"]: f for f in swedish}["role"]["Field Label"] == (
        catalog("sv")["q.role"]
    )
    assert fields["role"]["Choices, Calculations, OR Slider Labels"] == (
        "mother, I'm the mother | father, I'm the father | partner, I'm a partner or co-parent"
        " | other, Another caregiver"
    )
    assert fields["flow_version"]["Text Validation Type OR Show Slider Number"] == "integer"
    assert "Blank when" in fields["wish_main"]["Field Note"]
    # The records: the dictionary's variables as the header; every coded value is a choice.
    records = files["intake_records"]
    assert list(records[0]) == variables
    assert len(records) == len(stored(standard_db))
    for record in records:
        for name, value in record.items():
            choices = fields[name]["Choices, Calculations, OR Slider Labels"]
            if choices and value:
                assert value in [c.split(", ", 1)[0] for c in choices.split(" | ")], (name, value)
    older = next(record for record in records if record["outcome"] == "older_child")
    assert older["wish_main"] == ""  # blank, as the dictionary's note says


def test_redcap_with_free_text_is_private(standard_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "redcap"
    files = redcap_export(standard_db, folder, "--with-free-text")
    fields = {f["Variable / Field Name"]: f for f in files["intake_datadictionary_en"]}
    assert fields["free_text"]["Field Type"] == "notes"
    assert FREE_TEXT_WORDS in (folder / "intake_records.csv").read_text(encoding="utf-8")
    assert stat.S_IMODE((folder / "intake_records.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
