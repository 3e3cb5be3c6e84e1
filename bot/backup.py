"""`intake backup`: a consistent, checked copy of the live database; and putting one back.

``intake backup --out FILE`` copies the database while the bot runs (SQLite's online backup
API), checks the copy with ``integrity_check`` and writes it with mode 0600.
``intake backup --restore FILE`` puts a backup in place of the database; the bot must be
stopped first, and a recent heartbeat makes it refuse.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import settings
from bot.health import HEARTBEAT_SECONDS, heartbeat_age, heartbeat_path
from bot.settings import ConfigError
from storage.backup import BackupError, backup, restore


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, metavar="FILE", help="write a backup to FILE")
    action.add_argument(
        "--restore", type=Path, metavar="FILE", help="put the backup FILE in place of the database"
    )


def run(args: argparse.Namespace) -> int:
    db_path = settings.database_path(args.db)
    try:
        if args.out:
            size = backup(db_path, args.out)
            print(f"Backed up {db_path} to {args.out} ({size} bytes, integrity checked).")
            return 0
        age = heartbeat_age(heartbeat_path(db_path))
        if age is not None and age < 2 * HEARTBEAT_SECONDS:
            raise ConfigError(
                f"the bot is running on {db_path} (it beat {age:.0f} s ago): stop it first, "
                "then restore (a bot that was killed rather than stopped: wait a minute)."
            )
        restore(args.restore, db_path)
        heartbeat_path(db_path).unlink(missing_ok=True)
    except BackupError as error:
        print(f"intake backup: {error}")
        return 1
    print(f"Restored {db_path} from {args.restore} (integrity checked); start the bot again.")
    return 0
