"""`intake purge` applies retention from the environment, reports the counts, empties the WAL."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest

import storage
from bot import purge
from bot.cli import main
from tests.support import raw_bytes

PSEUDONYM = "ab" * 32


def test_purge_reports_what_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "intake.db"
    db = storage.open_db(db_path)
    storage.save_session(db, PSEUDONYM, "{}", today=date.today() - timedelta(days=40))
    storage.save_session(db, "cd" * 32, "{}")
    db.close()
    monkeypatch.setenv("INTAKE_SESSION_IDLE_DAYS", "30")
    assert main(["purge", "--db", str(db_path)]) == 0
    out = capsys.readouterr().out
    assert "purged 1 idle session(s)" in out
    db = storage.open_db(db_path)
    assert storage.load_session(db, PSEUDONYM) is None
    assert storage.load_session(db, "cd" * 32) == "{}"


def test_a_bad_retention_setting_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_LINK_DAYS", "soon")
    assert main(["purge", "--db", str(tmp_path / "intake.db")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "INTAKE_LINK_DAYS" in err


def reading(db_path: Path) -> sqlite3.Connection:
    """Another program (a backup, say) in a read transaction on the database."""
    reader = sqlite3.connect(db_path, check_same_thread=False)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sessions").fetchone()
    return reader


def purged_bytes_left(db_path: Path) -> bool:
    return PSEUDONYM.encode() in raw_bytes(db_path)


def test_purge_waits_for_a_reader_to_empty_the_wal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "intake.db"
    db = storage.open_db(db_path)
    storage.save_session(db, PSEUDONYM, "{}", today=date.today() - timedelta(days=40))
    reader = reading(db_path)
    monkeypatch.setattr(purge, "RETRY_PAUSE", 0.05)

    def backup_done() -> None:
        reader.rollback()
        reader.close()

    timer = threading.Timer(0.3, backup_done)
    timer.start()
    try:
        assert main(["purge", "--db", str(db_path), "--wait", "10"]) == 0
    finally:
        timer.join()
    assert capsys.readouterr().err == ""
    assert not purged_bytes_left(db_path)


def test_purge_says_when_a_reader_outlasts_its_wait(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db_path = tmp_path / "intake.db"
    db = storage.open_db(db_path)
    storage.save_session(db, PSEUDONYM, "{}", today=date.today() - timedelta(days=40))
    reader = reading(db_path)
    monkeypatch.setattr(purge, "RETRY_PAUSE", 0.05)
    assert main(["purge", "--db", str(db_path), "--wait", "0.2"]) == 1
    assert "still in its write-ahead log" in capsys.readouterr().err
    assert purged_bytes_left(db_path)
    reader.rollback()
    reader.close()
    assert main(["purge", "--db", str(db_path), "--wait", "0"]) == 0
    assert not purged_bytes_left(db_path)
