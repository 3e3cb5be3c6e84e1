"""A backup is the data, not the delivery state: the outbox never travels with it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

import storage
from storage.backup import backup, restore
from tests.support import STORAGE_SECRET, raw_bytes

WAITING = "a reply that was waiting to be delivered"


def test_a_backup_and_a_restore_leave_the_outbox_empty(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    pseudonym = storage.pseudonym_for(4242, STORAGE_SECRET)
    with db.atomic():
        storage.save_session(db, pseudonym, '{"state":"role"}')
        storage.save_outbox(
            db,
            pseudonym,
            key=storage.key_fingerprint(STORAGE_SECRET),
            revision=3,
            messages=f'[{{"text":"{WAITING}"}}]',
            shown=None,
            last_message=7,
        )
    copy = tmp_path / "copy.db"
    backup(db_path, copy)
    with sqlite3.connect(copy) as read:
        assert read.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        assert read.execute("SELECT count(*) FROM sessions").fetchone() == (1,)
    assert WAITING.encode() not in raw_bytes(copy)

    db.close()
    restore(copy, db_path)
    with storage.open_db(db_path) as restored:
        assert restored["outbox"].count == 0
        assert storage.load_session(restored, pseudonym) == '{"state":"role"}'
