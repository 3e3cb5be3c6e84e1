"""`intake purge` applies retention from the environment and reports the counts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

import storage
from bot.cli import main

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
