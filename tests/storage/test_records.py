"""Intake records and progress counts: what goes in, what comes out, what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlite_utils import Database

from storage import count_progress, intake_rows, open_db, pseudonym_for, record_intake, scrub
from storage.schema import RECORD_COLUMNS, STAFF_TABLES, TABLES
from tests.support import STORAGE_SECRET as SECRET
from tests.support import record


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One database for every example a property test draws (function fixtures would leak)."""
    db = open_db(tmp_path_factory.mktemp("records") / "intake.db")
    yield db
    db.close()


def column_values(name: str) -> st.SearchStrategy[object]:
    column = RECORD_COLUMNS[name]
    if name == "flow_version":
        values: st.SearchStrategy[object] = st.integers(1, 2**31)
    elif name == "clinic":
        values = st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True)
    elif name == "free_text":
        values = st.text(max_size=300)
    else:
        values = st.sampled_from(column.codes)
    return values if column.required else st.none() | values


records = st.fixed_dictionaries({name: column_values(name) for name in RECORD_COLUMNS})


@given(records)
def test_stored_rows_round_trip(shared_db: Database, sample: dict[str, object]) -> None:
    intake_id = record_intake(shared_db, sample, pseudonym=None)
    [row] = shared_db.query("SELECT * FROM intakes WHERE id = ?", [intake_id])
    free_text = sample["free_text"]
    expected = {
        **sample,
        "free_text": (isinstance(free_text, str) and scrub(free_text).strip()) or None,
    }
    assert {name: row[name] for name in RECORD_COLUMNS} == expected
    assert len(intake_id) == 32
    assert int(intake_id, 16) >= 0


def test_the_older_child_path_stores_its_skipped_questions_as_null(db: Database) -> None:
    skipped = {name: None for name, column in RECORD_COLUMNS.items() if not column.required}
    older = record(**skipped)
    older.update(outcome="older_child", suggestion="older_child", role="father", age_band="over_3y")
    record_intake(db, older, pseudonym=None)
    [row] = intake_rows(db)
    assert row["age_band"] == "over_3y"
    assert row["baby_judgement"] is None
    assert row["free_text"] is None


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"first_name": "Lovisa"}, "unknown intake fields: first_name"),
        ({"role": "Lovisa Zlatanovic"}, "role holds an unknown code"),
        ({"suggestion": None}, "suggestion is required"),
        ({"flow_version": True}, "flow_version"),
        ({"flow_version": "1"}, "flow_version"),
        ({"lang": 3}, "lang must be a string"),
        ({"clinic": "0701234567 Lovisa"}, "clinic is not a clinic code"),
        ({"free_text": b"bytes"}, "free_text must be a string"),
    ],
)
def test_records_with_anything_unplanned_are_refused_without_echoing_it(
    db: Database, changes: dict[str, object], complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint) as error:
        record_intake(db, record(**changes), pseudonym=None)
    assert "Lovisa" not in str(error.value)
    assert intake_rows(db) == []


def test_free_text_is_scrubbed_with_the_parents_names(db: Database) -> None:
    text = "Lovisa här, ring 070-123 45 67 eller mejla lovisa@example.se"
    record_intake(db, record(free_text=text), pseudonym=None, names=["Lovisa"])
    [row] = intake_rows(db)
    assert row["free_text"] == "[name] här, ring [phone] eller mejla [email]"


def test_intake_rows_filter_by_week_and_clinic_in_an_order_that_hides_arrival(
    db: Database,
) -> None:
    for day, clinic in [
        (date(2026, 3, 2), "north"),
        (date(2026, 3, 9), "north"),
        (date(2026, 3, 9), "south"),
        (date(2026, 3, 16), "north"),
    ]:
        record_intake(db, record(clinic=clinic), pseudonym=None, today=day)
    rows = intake_rows(db, since_week="2026-W11", clinic="north")
    assert [(row["week"], row["clinic"]) for row in rows] == [
        ("2026-W11", "north"),
        ("2026-W12", "north"),
    ]
    assert len(intake_rows(db)) == 4
    assert list(rows[0]) == list(TABLES["intakes"].columns)
    with pytest.raises(ValueError, match="ISO week"):
        intake_rows(db, since_week="2026-03-09")


def test_progress_counts_reached_steps_per_week_and_clinic_only(db: Database) -> None:
    week = date(2026, 11, 26)
    for question in ("consent", "role", "role", "age_band"):
        count_progress(db, question, "demo", today=week)
    count_progress(db, "role", "other", today=week)
    rows = db.query("SELECT * FROM progress ORDER BY clinic, question")
    assert [tuple(row.values()) for row in rows] == [
        ("2026-W48", "demo", "age_band", 1),
        ("2026-W48", "demo", "consent", 1),
        ("2026-W48", "demo", "role", 2),
        ("2026-W48", "other", "role", 1),
    ]
    with pytest.raises(ValueError, match="step code"):
        count_progress(db, "Lovisa Z", "demo")
    with pytest.raises(ValueError, match="clinic code"):
        count_progress(db, "role", "070 123 45 67")


def test_staff_tables_are_intakes_and_progress_only() -> None:
    assert STAFF_TABLES == ("intakes", "progress")
    assert all(column.description for table in TABLES.values() for column in table.columns.values())


def test_a_pseudonym_is_required_where_one_is_expected(db: Database) -> None:
    with pytest.raises(ValueError, match="not a pseudonym"):
        record_intake(db, record(), pseudonym="987654321")
    record_intake(db, record(), pseudonym=pseudonym_for(987654321, SECRET))
