"""Consistent copies of a live database, and putting one back.

`backup` uses SQLite's online backup API, which copies a consistent snapshot while the bot
goes on writing (a `cp` of a database in WAL mode can catch the file and its log at different
moments). The copy is checked with ``PRAGMA integrity_check``, turned into a single
self-contained file (no ``-wal`` beside it), written with mode 0600 and moved into place only
once complete. `restore` does the reverse for a stopped bot.

Neither carries the outbox: it is delivery state, not data. Its rows say which replies the
live bot had not yet confirmed as delivered; read back after a restore they would describe a
moment long past, and a parent's next input would be judged against it. A restored database
therefore starts with an empty outbox, and each parent's next input answers the question as
the restored conversation stands.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


class BackupError(Exception):
    """A database or a backup failed its check; the message says which and why."""


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=30)


def _draft_beside(target: Path) -> Path:
    """A new empty file (mode 0600) beside ``target``, to be renamed over it when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.{secrets.token_hex(6)}.part")
    os.close(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return draft


def _single_file_without_outbox(copy: sqlite3.Connection) -> None:
    """Make a copy self-contained (no -wal beside it) and empty its outbox, overwriting the
    rows' bytes (``secure_delete``)."""
    copy.execute("PRAGMA secure_delete = ON")
    if copy.execute("SELECT 1 FROM sqlite_master WHERE name = 'outbox'").fetchone():
        with copy:
            copy.execute("DELETE FROM outbox")
    copy.execute("PRAGMA journal_mode = DELETE")


def check_file(path: Path, *, quick: bool = False) -> None:
    """BackupError unless the file is an SQLite database that passes its integrity check."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with closing(_read_only(path)) as db:
            result = [row[0] for row in db.execute(f"PRAGMA {pragma}").fetchall()]
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be read as a database ({error})") from None
    if result != ["ok"]:
        raise BackupError(f"{path} failed its {pragma}: {result[0] if result else 'no answer'}")


@contextmanager
def _checked_copy(source: Path, beside: Path) -> Iterator[Path]:
    """A consistent, self-contained copy of ``source`` (outbox emptied) that passed its
    integrity check, as a draft file next to ``beside``; gone afterwards unless moved."""
    draft = _draft_beside(beside)
    try:
        with closing(_read_only(source)) as original, closing(sqlite3.connect(draft)) as copy:
            original.backup(copy)
            _single_file_without_outbox(copy)
        check_file(draft)
        yield draft
    finally:
        draft.unlink(missing_ok=True)


def backup(source: Path, target: Path) -> int:
    """Copy ``source`` to ``target`` consistently, check it, and return its size in bytes."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    try:
        with _checked_copy(source, target) as draft:
            os.replace(draft, target)
    except sqlite3.Error as error:
        raise BackupError(f"the backup of {source} failed ({error})") from None
    return target.stat().st_size


def restore(backup_file: Path, target: Path) -> None:
    """Put a checked backup in place of ``target``; the bot must be stopped meanwhile.

    The target's old ``-wal`` and ``-shm`` files are removed: left beside the restored file,
    a log of the old database could be replayed into it.
    """
    check_file(backup_file)
    try:
        with _checked_copy(backup_file, target) as draft:
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(draft, target)
    except sqlite3.Error as error:
        raise BackupError(f"restoring {backup_file} failed ({error})") from None
