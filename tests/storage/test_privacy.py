"""Anonymity, erasure and retention, checked down to the bytes SQLite leaves on disk."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import struct
import time
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import (
    Erasure,
    PurgeReport,
    RetentionSettings,
    SecretError,
    check_secret,
    count_progress,
    delete_session,
    erase,
    flush_wal,
    intake_rows,
    load_session,
    local_secret,
    pseudonym_for,
    purge,
    record_intake,
    save_session,
    scrub,
)
from tests.support import STORAGE_SECRET as SECRET
from tests.support import raw_bytes, record

DAY = date(2026, 11, 26)


def rows_holding(db: Database, value: str) -> list[tuple[str, dict[str, object]]]:
    """Every row, in every table, with a column that contains ``value``."""
    return [
        (table, row)
        for table in db.table_names()
        for row in db[table].rows
        if any(value in str(cell) for cell in row.values())
    ]


# ---- anonymity

PARENTS = [
    # (Telegram user id, username, first name, last name)
    (987654321, "lovisa_zeta88", "Lovisa", "Zlatanovic-Berg"),
    (5550001234, "pappa_orvar", "Orvar", "Quist"),
]
PHONE_FORMS = ["070-123 45 67", "0701234567", "+46 70 123 45 67", "+46701234567", "701234567"]
PNR_FORMS = ["850709-9805", "8507099805", "19850709-9805", "198507099805"]


def forbidden(user_id: int, username: str, first: str, last: str) -> list[bytes]:
    texts = [str(user_id), username, first, last, *last.split("-"), *PHONE_FORMS, *PNR_FORMS]
    texts += ["lovisa.zeta@example.se", "Storgatan 12"]
    found = [text.lower().encode() for text in texts]
    found += [struct.pack(">q", user_id), struct.pack("<q", user_id)]  # as stored integers
    return found


def test_no_identifier_reaches_the_database_file_or_its_wal(db_path: Path, db: Database) -> None:
    for user_id, username, first, last in PARENTS:
        names = (first, last, username)
        pseudonym = pseudonym_for(user_id, SECRET)
        typed = (
            f"Jag heter {first} {last} (@{username}), ring 070-123 45 67 eller +46701234567. "
            "Mitt personnummer är 850709-9805, eller 198507099805. "
            f"Mejla lovisa.zeta@example.se, jag bor på Storgatan 12. {first}s bebis sover dåligt."
        )
        # What the engine saves while the parent goes on: codes, and free text scrubbed
        # on its way in (the session JSON is opaque to storage and stored as it comes).
        answers = {"role": "mother", "free_text": scrub(typed, names)}
        conversation = {"state": "summary", "answers": answers}
        for question in ("consent", "role", "age_band"):
            count_progress(db, question, "demo")
            save_session(db, pseudonym, json.dumps(conversation, ensure_ascii=False))
        record_intake(db, record(free_text=typed), pseudonym=pseudonym, names=names)

    assert Path(f"{db_path}-wal").stat().st_size > 0  # the WAL is read while it still holds data
    for stored in (raw_bytes(db_path).lower(), None):
        if stored is None:
            db.close()  # and again after the last connection has checkpointed it into the file
            stored = raw_bytes(db_path).lower()
        for parent in PARENTS:
            for needle in forbidden(*parent):
                assert needle not in stored, needle


# ---- erasure


def test_erase_removes_the_session_every_linked_intake_and_the_links(
    db_path: Path, db: Database
) -> None:
    mine, other = pseudonym_for(987654321, SECRET), pseudonym_for(5550001234, SECRET)
    save_session(db, mine, '{"state": "wellbeing"}')
    save_session(db, other, '{"state": "role"}')
    for text in ("Zebrafinken sjunger", "Zebrafinken igen"):
        record_intake(db, record(free_text=text), pseudonym=mine)
    kept = record_intake(db, record(free_text="Orvars anteckning"), pseudonym=other)
    anonymous = record_intake(db, record(), pseudonym=None)

    assert erase(db, mine) == Erasure(sessions=1, intakes=2)
    assert load_session(db, mine) is None
    assert rows_holding(db, mine) == []
    assert {row["id"] for row in intake_rows(db)} == {kept, anonymous}
    assert load_session(db, other) == '{"state": "role"}'
    assert erase(db, mine) == Erasure(sessions=0, intakes=0)
    stored = raw_bytes(db_path)
    assert b"Zebrafinken" not in stored  # zeroed in the file, and gone from the WAL
    assert mine.encode() not in stored


def test_erase_inside_a_callers_transaction_then_flush(db_path: Path, db: Database) -> None:
    mine = pseudonym_for(987654321, SECRET)
    save_session(db, mine, '{"note": "Zebrafinken"}')
    with db.atomic():
        assert erase(db, mine) == Erasure(sessions=1, intakes=0)
        assert flush_wal(db) is False  # cannot checkpoint mid-transaction: the caller does it
    assert flush_wal(db) is True
    assert b"Zebrafinken" not in raw_bytes(db_path)


def test_a_reader_keeps_erased_bytes_in_the_wal_until_it_closes_and_flush_waits_for_nobody(
    db_path: Path, db: Database
) -> None:
    mine = pseudonym_for(987654321, SECRET)
    save_session(db, mine, '{"note": "Zebrafinken"}')
    record_intake(db, record(free_text="Zebrafinken igen"), pseudonym=mine)
    reader = sqlite3.connect(db_path)  # a backup tool, reading
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM intakes").fetchone()

    started = time.monotonic()
    assert erase(db, mine) == Erasure(sessions=1, intakes=1)
    assert purge(db, today=DAY).flushed is False
    assert flush_wal(db) is False
    assert time.monotonic() - started < 1  # the reader is not waited for
    assert b"Zebrafinken" in raw_bytes(db_path)  # the reader's snapshot still needs them

    reader.rollback()
    reader.close()
    assert flush_wal(db) is True
    stored = raw_bytes(db_path)
    assert b"Zebrafinken" not in stored
    assert mine.encode() not in stored
    assert Path(f"{db_path}-wal").stat().st_size == 0
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000  # the connection's own, back


def test_delete_session_says_whether_there_was_one(db: Database) -> None:
    mine = pseudonym_for(1, SECRET)
    save_session(db, mine, "{}")
    assert delete_session(db, mine) is True
    assert delete_session(db, mine) is False


def test_a_raw_telegram_id_is_never_accepted_as_a_key(db: Database) -> None:
    for call in (
        lambda: save_session(db, "987654321", "{}"),
        lambda: load_session(db, "987654321"),
        lambda: erase(db, "@lovisa_zeta88"),
    ):
        with pytest.raises(ValueError, match="not a pseudonym") as error:
            call()
        assert "987654321" not in str(error.value)


# ---- retention


def test_idle_sessions_are_purged_after_the_idle_period(db: Database) -> None:
    idle, active = pseudonym_for(1, SECRET), pseudonym_for(2, SECRET)
    save_session(db, idle, "{}", today=DAY)
    save_session(db, active, "{}", today=DAY + timedelta(days=20))
    assert purge(db, today=DAY + timedelta(days=30)).sessions == 0
    assert purge(db, today=DAY + timedelta(days=31)) == PurgeReport(sessions=1, links=0, intakes=0)
    assert load_session(db, idle) is None
    assert load_session(db, active) == "{}"


def test_expired_links_leave_intakes_that_nothing_ties_to_a_pseudonym(
    db_path: Path, db: Database
) -> None:
    mine = pseudonym_for(987654321, SECRET)
    intake = record_intake(db, record(), pseudonym=mine, today=DAY, link_days=30)
    assert purge(db, today=DAY + timedelta(days=29)).links == 0
    assert rows_holding(db, mine) != []
    assert purge(db, today=DAY + timedelta(days=30)) == PurgeReport(sessions=0, links=1, intakes=0)

    assert rows_holding(db, mine) == []
    assert mine.encode() not in raw_bytes(db_path)
    assert erase(db, mine) == Erasure(sessions=0, intakes=0)  # nothing left to find
    assert [row["id"] for row in intake_rows(db)] == [intake]


def test_a_shorter_link_setting_also_shortens_existing_links(db: Database) -> None:
    mine = pseudonym_for(1, SECRET)
    record_intake(db, record(), pseudonym=mine, today=DAY, link_days=90)
    assert purge(db, link_days=7, today=DAY + timedelta(days=1)).links == 0
    assert purge(db, link_days=7, today=DAY + timedelta(days=8)).links == 1


def test_intakes_older_than_the_retention_months_are_purged_by_week(db: Database) -> None:
    for day in (date(2024, 11, 17), date(2024, 11, 18), date(2026, 11, 26)):  # W46, W47, W48
        record_intake(db, record(), pseudonym=None, today=day)
    # 24 months before 2026-11-26 is 2024-11-26, in 2024-W48: weeks before it go.
    report = purge(db, intake_months=24, today=DAY)
    assert report == PurgeReport(sessions=0, links=0, intakes=2)
    assert [row["week"] for row in intake_rows(db)] == ["2026-W48"]


def test_purging_an_intake_takes_its_link_with_it(db: Database) -> None:
    record_intake(db, record(), pseudonym=pseudonym_for(1, SECRET), today=DAY, link_days=9999)
    purge(db, intake_months=0, link_days=9999, today=DAY + timedelta(days=7))
    assert db.execute("SELECT count(*) FROM links").fetchone()[0] == 0


def test_purge_takes_the_settings_as_keywords(db: Database) -> None:
    assert purge(db, **asdict(RetentionSettings(1, 1, 1))) == PurgeReport(0, 0, 0)


# ---- pseudonyms and secrets


def test_pseudonyms_are_keyed_hashes() -> None:
    first = pseudonym_for(987654321, SECRET)
    assert first == pseudonym_for(987654321, SECRET)
    assert len(first) == 64
    assert first != pseudonym_for(987654322, SECRET)
    assert first != pseudonym_for(987654321, SECRET + "x")


@pytest.mark.parametrize("secret", [None, "", "   ", "short", "x" * 15])
def test_a_missing_or_short_secret_stops_with_one_clear_sentence(secret: str | None) -> None:
    with pytest.raises(SecretError) as error:
        check_secret(secret)
    message = str(error.value)
    assert message.startswith("must be set")
    assert message.count(". ") == 0


def test_a_long_enough_secret_is_kept_without_surrounding_whitespace() -> None:
    assert check_secret(f"  {SECRET}\n") == SECRET


def test_the_local_secret_is_made_once_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / ".intake-secret"
    secret = local_secret(path)
    assert check_secret(secret) == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret(path) == secret
    assert os.listdir(path.parent) == [path.name]  # no draft left behind


def test_a_damaged_local_secret_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / ".intake-secret"
    path.write_text("")
    with pytest.raises(SecretError, match="delete it to make a new one"):
        local_secret(path)
