"""Files only their owner can read: the database, its -wal and -shm, its folder, the key file."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from storage import local_secret, open_db, pseudonym_for, save_session
from tests.support import STORAGE_SECRET as SECRET


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("umask_022")
def test_a_new_database_and_its_folder_are_the_owners_alone(tmp_path: Path) -> None:
    db_path = tmp_path / "made" / "data" / "intake.db"
    with open_db(db_path) as db:
        save_session(db, pseudonym_for(1, SECRET), '{"state": "role"}')
        assert mode(db_path.parent) == 0o700
        for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            assert mode(path) == 0o600, path.name
    assert mode(tmp_path / "made") == 0o755  # holds only the private folder: left as usual


@pytest.mark.usefixtures("umask_022")
def test_an_operators_folder_is_left_as_they_made_it(tmp_path: Path) -> None:
    folder = tmp_path / "srv"
    folder.mkdir(mode=0o755)
    with open_db(folder / "intake.db") as db:
        save_session(db, pseudonym_for(1, SECRET), "{}")
        assert mode(folder) == 0o755
        assert mode(folder / "intake.db") == 0o600


def test_a_database_others_can_read_is_reported_in_one_line_and_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db_path = tmp_path / "intake.db"
    db_path.touch(mode=0o644)
    db_path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="intake.storage"), open_db(db_path):
        pass
    (warning,) = caplog.records
    assert "can be read by other users" in warning.getMessage()
    assert str(tmp_path) not in warning.getMessage()  # a path may hold a person's user name
    assert mode(db_path) == 0o644
    caplog.clear()
    db_path.chmod(0o600)
    with caplog.at_level(logging.WARNING, logger="intake.storage"), open_db(db_path):
        assert caplog.records == []


@pytest.mark.usefixtures("umask_022")
def test_the_local_secret_and_its_folder_are_the_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "data" / ".intake-secret"
    local_secret(path)
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
