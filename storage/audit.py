"""Who looked at the intakes: `intake review`'s access log, by staff name and ISO week.

It lives in its own database file beside the intake database (``intake.db`` ->
``intake-audit.db``), never among the intake data: it names staff, who are not anonymous
here, and an intake never names them. Like everything else it keeps no exact time: each row
counts one kind of access by one staff member to one table or query in one ISO week.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlite_utils import Database

from storage.dates import iso_week
from storage.db import _DayMigrations
from storage.staff import labels_table
from storage.transaction import transaction

#: What is logged: a login, a page looked at, a table or query downloaded (CSV or JSON).
ACTIONS = ("login", "view", "export")
#: Staff login names: short, lower-case, no spaces (they name a person to colleagues).
STAFF_NAME = re.compile(r"[a-z][a-z0-9._-]{1,31}")
#: What was looked at: a table or query name, or empty for a login.
SUBJECT = re.compile(r"[a-z0-9_]{0,40}")

migrations = _DayMigrations("audit")


@migrations()
def m001_audit(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE audit (
            week TEXT NOT NULL,
            staff TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (week, staff, action, subject)
        ) STRICT, WITHOUT ROWID;
        """
    )


#: The same table for the review copy, in the same column order; its actions refer to the
#: copy's table of their labels (see `storage.staff.create_staff_copy`).
AUDIT_TABLE_SQL = (
    "CREATE TABLE audit (week TEXT NOT NULL, staff TEXT NOT NULL, "
    f"action TEXT NOT NULL REFERENCES {labels_table('action')} (code), "
    "subject TEXT NOT NULL, count INTEGER NOT NULL, "
    "PRIMARY KEY (week, staff, action, subject)) WITHOUT ROWID;"
)


@dataclass(frozen=True, slots=True)
class Access:
    week: str
    staff: str
    action: str
    subject: str
    count: int


def audit_path(db_path: str | os.PathLike[str]) -> Path:
    """The access log beside an intake database: ``data/intake.db`` -> ``data/intake-audit.db``."""
    path = Path(db_path)
    return path.with_name(f"{path.stem}-audit.db")


def open_audit(path: str | os.PathLike[str]) -> Database:
    """Open (creating if needed) and migrate the access log; commits are durable, as in open_db."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    db = Database(file)
    db.enable_wal()
    db.execute("PRAGMA synchronous = FULL")
    migrations.apply(db)
    return db


def record_access(
    db: Database, staff: str, action: str, subject: str = "", *, today: date | None = None
) -> None:
    """Count one access this week; refuses anything that is not a staff name, action, subject."""
    if not STAFF_NAME.fullmatch(staff):
        raise ValueError("not a staff login name")
    if action not in ACTIONS:
        raise ValueError("not an audited action")
    if not SUBJECT.fullmatch(subject):
        raise ValueError("not a table or query name")
    with transaction(db):
        db.execute(
            "INSERT INTO audit (week, staff, action, subject, count) VALUES (?, ?, ?, ?, 1) "
            "ON CONFLICT (week, staff, action, subject) DO UPDATE SET count = count + 1",
            [iso_week(today or date.today()), staff, action, subject],
        )


def accesses(db: Database) -> list[Access]:
    """Every row of the log, the latest week first."""
    rows = db.execute(
        "SELECT week, staff, action, subject, count FROM audit "
        "ORDER BY week DESC, staff, action, subject"
    ).fetchall()
    return [Access(str(w), str(s), str(a), str(j), int(n)) for w, s, a, j, n in rows]
