"""The database itself: settings, migrations, schema, resuming, and surviving a kill."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage import (
    count_progress,
    load_session,
    open_db,
    pseudonym_for,
    record_intake,
    save_session,
    transaction,
)
from storage.db import migrations
from storage.schema import TABLES
from tests.support import STORAGE_SECRET as SECRET
from tests.support import record

REPO = Path(__file__).resolve().parents[2]


def test_open_db_creates_the_folder_and_sets_durable_pragmas(db_path: Path, db: Database) -> None:
    assert db_path.exists()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1


def test_migrations_are_idempotent(db_path: Path) -> None:
    with open_db(db_path) as first:
        schema = first.schema
    with open_db(db_path) as again, open_db(db_path) as third:
        assert again.schema == third.schema == schema
        assert [m.name for m in migrations.applied(third)] == [
            "m001_initial",
            "m002_outbox_and_key_fingerprints",
        ]
        assert migrations.pending(third) == []


def test_tables_match_the_codebook(db: Database) -> None:
    for name, table in TABLES.items():
        info = db.execute(f"PRAGMA table_info({name})").fetchall()
        assert [row[1] for row in info] == list(table.columns), name
        required = {row[1] for row in info if row[3] or row[5]}
        assert required == {col for col, c in table.columns.items() if c.required}, name


def test_no_exact_time_is_stored_anywhere(db: Database) -> None:
    pseudonym = pseudonym_for(42, SECRET)
    save_session(db, pseudonym, '{"state": "role"}')
    record_intake(db, record(), pseudonym=pseudonym)
    count_progress(db, "role", "demo")
    day = re.compile(r"\d{4}-\d{2}-\d{2}")
    for table in db.table_names():
        for row in db[table].rows:
            for value in row.values():
                text = str(value)
                assert not re.search(r"\d{1,2}:\d{2}", text), (table, text)
                if day.search(text):
                    assert day.fullmatch(text), (table, text)  # a whole day at most


def test_a_parent_resumes_after_the_database_is_closed_and_reopened(db_path: Path) -> None:
    pseudonym = pseudonym_for(987654321, SECRET)
    conversation = json.dumps({"state": "baby_distress", "answers": {"role": "father"}})
    with open_db(db_path) as db:
        save_session(db, pseudonym, conversation)
    with open_db(db_path) as db:
        assert load_session(db, pseudonym) == conversation


def test_a_second_connection_sees_each_save_at_once(db_path: Path) -> None:
    pseudonym = pseudonym_for(1, SECRET)
    with open_db(db_path) as writer, open_db(db_path) as reader:
        for step in range(3):
            save_session(writer, pseudonym, f'{{"step": {step}}}')
            assert load_session(reader, pseudonym) == f'{{"step": {step}}}'


def test_a_write_alone_is_its_own_transaction_and_inside_one_joins_it(db: Database) -> None:
    pseudonym = pseudonym_for(1, SECRET)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    save_session(db, pseudonym, '{"step": 1}')
    assert [s.split()[0] for s in statements] == ["BEGIN", "INSERT", "COMMIT"]
    assert statements[0] == "BEGIN IMMEDIATE"  # the write lock first: never refused half-way
    statements.clear()

    def a_step_that_fails() -> None:
        with transaction(db):
            save_session(db, pseudonym, '{"step": 2}')
            count_progress(db, "role", "demo")
            raise RuntimeError("the step fails after both writes")

    with pytest.raises(RuntimeError):
        a_step_that_fails()
    db.conn.set_trace_callback(None)
    assert [s.split()[0] for s in statements] == ["BEGIN", "INSERT", "INSERT", "ROLLBACK"]
    assert load_session(db, pseudonym) == '{"step": 1}'  # all of it rolled back together
    assert db.execute("SELECT count(*) FROM progress").fetchone()[0] == 0


def test_a_database_another_program_writes_is_refused_at_once_and_written_after(
    db_path: Path,
) -> None:
    pseudonym = pseudonym_for(1, SECRET)
    with open_db(db_path, busy_timeout_ms=0) as db, open_db(db_path) as other:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            save_session(db, pseudonym, "{}")
        assert not db.conn.in_transaction
        other.execute("COMMIT")
        save_session(db, pseudonym, "{}")
        assert load_session(other, pseudonym) == "{}"


def test_in_memory_database_works_for_a_chat_that_stores_nothing() -> None:
    with open_db(":memory:") as db:
        save_session(db, pseudonym_for(1, SECRET), "{}")
        assert load_session(db, pseudonym_for(1, SECRET)) == "{}"


BURST = textwrap.dedent(
    """
    import sys
    from storage import open_db, pseudonym_for, save_session

    db = open_db(sys.argv[1])
    for n in range(int(sys.argv[2]), 10**9):
        save_session(db, pseudonym_for(n, sys.argv[3]), '{"n": %d, "pad": "%s"}' % (n, "x" * 300))
        print("saved", n, flush=True)
    """
)


#: Saves each burst has reported before the kill is timed, so that two bursts report over 20.
SAVES_BEFORE_KILL = 12


@pytest.mark.parametrize("kill_after", [0.3, 0.7])
def test_a_process_killed_mid_burst_loses_no_saved_answer(db_path: Path, kill_after: float) -> None:
    open_db(db_path).close()
    printed: list[int] = []
    for start in (0, 100_000):  # two kills in a row: the second starts on a hot WAL
        child = subprocess.Popen(
            [sys.executable, "-c", BURST, str(db_path), str(start), SECRET],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        # The burst is well under way (however busy the machine): then it runs on a while.
        lines = [child.stdout.readline() for _ in range(SAVES_BEFORE_KILL)]
        time.sleep(kill_after)
        os.kill(child.pid, signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
        lines += rest.splitlines(keepends=True)
        # A line the kill cut short ("saved 12" as "saved 1", or "saved ") says nothing.
        complete = [line for line in lines if line.endswith("\n")]
        printed += [int(line.split()[1]) for line in complete if line.startswith("saved ")]
        assert child.returncode == -signal.SIGKILL

    assert len(printed) > 20
    with open_db(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for n in printed:
            saved = load_session(db, pseudonym_for(n, SECRET))
            assert saved is not None, n
            assert json.loads(saved)["n"] == n


def test_storage_imports_neither_telegram_nor_bot_nor_flows() -> None:
    probe = (
        "import sys, storage\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'telegram', 'bot', 'flows'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_iso_week_of_the_intake_is_the_only_time_it_keeps(db: Database) -> None:
    record_intake(db, record(), pseudonym=None, today=date(2026, 11, 26))
    record_intake(db, record(), pseudonym=None, today=date(2027, 1, 1))  # ISO week 53 of 2026
    assert [row["week"] for row in db.query("SELECT week FROM intakes ORDER BY week")] == [
        "2026-W48",
        "2026-W53",
    ]
