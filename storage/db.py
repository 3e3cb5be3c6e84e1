"""Opening the database: durable settings, then every pending migration."""

from __future__ import annotations

import os
import sqlite3
from datetime import date
from pathlib import Path

from sqlite_utils import Database, Migrations

from storage.files import private_file, private_folder, shared_with_others


class _DayMigrations(Migrations):
    """Migrations that record the day they ran, not the exact time: none is stored anywhere.

    This overrides a private hook of sqlite-utils; test_no_exact_time_is_stored_anywhere fails
    if an upgrade of sqlite-utils bypasses it.
    """

    def _record_applied(self, db: Database, name: str) -> None:
        db.table(self.migrations_table).insert(
            {"migration_set": self.name, "name": name, "applied_at": date.today().isoformat()}
        )


migrations = _DayMigrations("intake")


# Migrations are history: once released, one is never edited; change the schema with a new one.
# Tables are WITHOUT ROWID so that no row keeps a hidden insertion order next to its week.
@migrations()
def m001_initial(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE intakes (
            id TEXT PRIMARY KEY NOT NULL,
            week TEXT NOT NULL,
            flow_version INTEGER NOT NULL,
            lang TEXT NOT NULL,
            clinic TEXT NOT NULL,
            outcome TEXT NOT NULL,
            role TEXT,
            age_band TEXT,
            baby_reacts TEXT,
            baby_distress TEXT,
            baby_withdrawn TEXT,
            sleep_feeding TEXT,
            wish_main TEXT,
            wish_understand TEXT,
            wish_advice TEXT,
            wish_alone TEXT,
            wellbeing TEXT,
            safety_answer TEXT,
            baby_judgement TEXT,
            parent_judgement TEXT,
            suggestion TEXT NOT NULL,
            safety_level TEXT NOT NULL,
            free_text TEXT
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX intakes_week ON intakes (week);

        CREATE TABLE progress (
            week TEXT NOT NULL,
            clinic TEXT NOT NULL,
            question TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (week, clinic, question)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE sessions (
            pseudonym TEXT PRIMARY KEY NOT NULL,
            conversation TEXT NOT NULL,
            last_active_day TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE links (
            pseudonym TEXT NOT NULL,
            intake_id TEXT NOT NULL REFERENCES intakes (id) ON DELETE CASCADE,
            expires_on TEXT NOT NULL,
            PRIMARY KEY (pseudonym, intake_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX links_intake_id ON links (intake_id);
        CREATE INDEX links_expires_on ON links (expires_on);
        """
    )


@migrations()
def m002_outbox_and_key_fingerprints(db: Database) -> None:
    # The outbox holds what a step sends until it is delivered (docs/delivery.md); `key` is a
    # short fingerprint of the pseudonymisation key a row was written under, so that a key
    # rotation can tell old rows from new ones (docs/privacy.md). Rows from before this
    # migration get an empty fingerprint: `storage.stamp_keys` fills it in at start.
    db.executescript(
        """
        CREATE TABLE outbox (
            pseudonym TEXT PRIMARY KEY NOT NULL,
            key TEXT NOT NULL,
            revision INTEGER NOT NULL,
            messages TEXT NOT NULL,
            shown TEXT,
            last_message INTEGER NOT NULL,
            day TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX outbox_day ON outbox (day);
        ALTER TABLE sessions ADD COLUMN key TEXT NOT NULL DEFAULT '';
        ALTER TABLE links ADD COLUMN key TEXT NOT NULL DEFAULT '';
        """
    )


#: How long a statement waits for another connection's write lock before it gives up; the bot
#: retries a step itself, off its event loop, rather than hold a thread for long.
BUSY_TIMEOUT_MS = 5000


def open_db(path: str | os.PathLike[str], *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> Database:
    """Open (creating folder and file if needed) and migrate the intake database.

    ``path`` is the file (``:memory:`` for none). Every commit is on disk before
    it returns (WAL with ``synchronous=FULL``), and deleted rows are overwritten with zeros
    (``secure_delete``) so erased answers do not linger in free pages. A new database file is
    readable by its owner only (0600, and so are its -wal and -shm), in a folder made 0700 if
    the folder is new; an existing one open to others is reported in the log.

    The connection may be used from a thread other than the one that opened it (the bot gives
    it to one storage thread); it is never used from two threads at once.
    """
    file = Path(path)
    on_disk = str(file) != ":memory:"
    if on_disk:
        private_folder(file.parent)
        private_file(file)
    db = Database(sqlite3.connect(str(file), check_same_thread=False))
    db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA secure_delete = ON")
    migrations.apply(db)
    if on_disk:
        shared_with_others(file)
    return db
