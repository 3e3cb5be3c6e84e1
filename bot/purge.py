"""`intake purge`: apply retention now (the bot also does it daily) and report what went.

What was purged is gone from the database file at once; old copies of it also leave the
write-ahead log (``-wal``) once the log is emptied, which another program reading the
database (a backup, say) holds up. Purge keeps trying for ``--wait`` seconds, then says so.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import asdict

import sqlite_utils

import storage
from bot import settings

#: Seconds between tries at emptying the write-ahead log while a reader holds it.
RETRY_PAUSE = 1.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")
    parser.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to keep trying to empty the write-ahead log while another program "
        "reads the database (default 60)",
    )


def run(args: argparse.Namespace) -> int:
    retention = settings.retention()
    db = storage.open_db(settings.database_path(args.db))
    report = storage.purge(db, **asdict(retention))
    print(
        f"purged {report.sessions} idle session(s) (idle > {retention.session_idle_days} days), "
        f"{report.links} expired link(s) (kept {retention.link_days} days), "
        f"{report.intakes} intake(s) older than {retention.intake_months} months"
    )
    print(keys_line(db, settings.intake_secret_if_set()))
    if report.flushed or flushed_within(db, args.wait):
        return 0
    print(
        "intake purge: another program is reading the database, so old copies of what was "
        "purged are still in its write-ahead log (-wal); run intake purge again when it is done.",
        file=sys.stderr,
    )
    return 1


def keys_line(db: sqlite_utils.Database, secret: str | None) -> str:
    """What is still under a key other than INTAKE_SECRET (after a rotation)."""
    in_use = storage.keys_in_use(db)
    if secret is None:
        keys = len(set(in_use.sessions) | set(in_use.links))
        return f"sessions and links are kept under {keys} key(s) (INTAKE_SECRET is not set here)"
    sessions, links = in_use.other_than(storage.key_fingerprint(secret))
    if not sessions and not links:
        return "every session and link uses the current key (INTAKE_SECRET)"
    return (
        f"{sessions} unfinished conversation(s) and {links} link(s) still use a previous key: "
        "keep INTAKE_SECRET_PREVIOUS set until none is left (they move when their parent next "
        "writes, or leave with retention)"
    )


def flushed_within(db: sqlite_utils.Database, seconds: float) -> bool:
    """Try to empty the write-ahead log until it works or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(RETRY_PAUSE)
        if storage.flush_wal(db):
            return True
    return False
