"""`intake export`: records round-trip, the codebook covers every column, free text on request."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.staff.codebook import EXPORT_COLUMNS, codebook, markdown
from bot.staff.selection import FREE_TEXT
from storage.schema import RECORD_COLUMNS
from tests.support.staff import FREE_TEXT_WORDS

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
