"""One place for codes: flows declares them; storage's copy and its migrations must agree.

Storage must not import flows (the staff tools and the database stand alone), so it keeps
its own codebook (storage/schema.py) and SQL; this test holds both to what flows declares.
"""

from __future__ import annotations

from sqlite_utils import Database

from flows.clinic import CLINIC_CODE as FLOWS_CLINIC_CODE
from flows.questions import PROGRESS_STEPS
from flows.record import RECORD_CODES, RECORD_FIELDS
from storage.schema import CLINIC_CODE, RECORD_COLUMNS, STEP_CODE


def test_the_record_has_the_columns_flows_declares() -> None:
    assert tuple(RECORD_COLUMNS) == RECORD_FIELDS


def test_every_coded_column_holds_exactly_the_codes_flows_declares() -> None:
    coded = {name: column.codes for name, column in RECORD_COLUMNS.items() if column.codes}
    assert coded == RECORD_CODES


def test_the_clinic_code_pattern_is_the_same() -> None:
    assert CLINIC_CODE.pattern == FLOWS_CLINIC_CODE.pattern


def test_every_progress_step_is_a_step_code_storage_accepts() -> None:
    assert all(STEP_CODE.fullmatch(step) for step in PROGRESS_STEPS)


def test_the_migrated_intakes_table_has_the_record_columns(db: Database) -> None:
    columns = [row[1] for row in db.execute("PRAGMA table_info(intakes)").fetchall()]
    assert columns == ["id", "week", *RECORD_FIELDS]
