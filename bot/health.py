"""`intake health`: one line saying whether the bot's database and the bot itself are well.

Exit 0 when the database opens and passes SQLite's quick check, and the running bot's
heartbeat is recent; otherwise exit 1 with one line saying what is wrong. For a container's
HEALTHCHECK, a systemd timer or a monitoring system.

The heartbeat is a file beside the database (``intake.db`` -> ``intake.db.heartbeat``) whose
modification time the bot renews every `HEARTBEAT_SECONDS`; it holds nothing, and no time
is ever written into the database.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from bot import settings
from storage.backup import BackupError, check_file

HEARTBEAT_SECONDS = 30
#: A heartbeat older than this means the bot is stopped or stuck (three beats missed).
STALE_SECONDS = 3 * HEARTBEAT_SECONDS


def heartbeat_path(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.heartbeat")


def beat(path: Path) -> None:
    """Renew the heartbeat: create the empty file (mode 0600) or touch it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.utime(path)


def heartbeat_age(path: Path, now: float | None = None) -> float | None:
    """Seconds since the bot's last beat, or None when it has never beaten here."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return max(0.0, (time.time() if now is None else now) - modified)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")
    parser.add_argument(
        "--max-age",
        type=float,
        default=STALE_SECONDS,
        metavar="SECONDS",
        help=f"oldest heartbeat still healthy (default {STALE_SECONDS})",
    )


def problem(db_path: Path, max_age: float) -> tuple[str, bool]:
    """One line about the database and the bot, and whether all is well."""
    if not db_path.is_file():
        return f"unhealthy: there is no database at {db_path}", False
    try:
        check_file(db_path, quick=True)
    except BackupError as error:
        return f"unhealthy: the database {error}", False
    age = heartbeat_age(heartbeat_path(db_path))
    if age is None:
        return (
            f"unhealthy: the bot has written no heartbeat beside {db_path} "
            "(is `intake bot` running, with this INTAKE_DB?)",
            False,
        )
    if age > max_age:
        return (
            f"unhealthy: the bot's last heartbeat is {age:.0f} s old (more than {max_age:g} s): "
            "it is stopped or stuck",
            False,
        )
    return f"healthy: the database passes its quick check; the bot beat {age:.0f} s ago", True


def run(args: argparse.Namespace) -> int:
    line, healthy = problem(settings.database_path(args.db), args.max_age)
    print(line)
    return 0 if healthy else 1
