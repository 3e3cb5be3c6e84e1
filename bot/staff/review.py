"""`intake review`: browse the anonymised intakes in Datasette, read-only, behind a password.

Datasette never opens the live database. On start, the staff tables (intakes without their
free text, and progress counts) are copied into a fresh SQLite file in a private temporary
folder, and only that copy is served, immutable: sessions, links and pseudonyms are not in
it, so no query, canned or crafted, can reach them. Arbitrary SQL is off all the same, the
server listens on 127.0.0.1 only, and every page needs the staff login
(datasette-auth-passwords, the hash from ``INTAKE_STAFF_PASSWORD_HASH``).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import signal
import sqlite3
import sys
import tempfile
from contextlib import closing
from pathlib import Path

import storage
from bot.staff.selection import (
    FREE_TEXT,
    add_database_argument,
    add_language_argument,
    existing_database,
)
from bot.staff.texts import column_meaning, language, table_meaning, text
from flows.model import SAFETY_LEVELS, Language
from flows.questions import PROGRESS_STEPS, QUESTION_BY_KEY
from storage.schema import STAFF_TABLES, TABLES

PASSWORD_HASH_ENV = "INTAKE_STAFF_PASSWORD_HASH"  # noqa: S105 (a setting's name)
STAFF_ACCOUNT = "staff"
DATABASE = "intake"  # the served copy's name, and so its path: /intake/intakes
#: Columns of the staff tables that the browser never shows.
HIDDEN_COLUMNS = frozenset({FREE_TEXT})
#: The form datasette-auth-passwords writes (and `intake review --hash-password` prints).
PASSWORD_HASH = re.compile(r"pbkdf2_sha256\$[0-9]+\$[^$\s]+\$[A-Za-z0-9+/=]+")
MIN_PASSWORD_LENGTH = 10
HOST = "127.0.0.1"  # never another interface: reach it from elsewhere through an SSH tunnel


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    parser.add_argument(
        "--hash-password",
        action="store_true",
        help=f"print a hash of a new staff password for {PASSWORD_HASH_ENV}, and exit",
    )
    add_language_argument(parser)


# ---- the copy that is served


def iso_week_sql(day: str = "'now'") -> str:
    """SQL for the ISO week of ``day`` (a date expression), like storage writes: 2026-W48.

    The ISO week is the week of the Thursday in it: three days back, then forward to a
    Thursday, gives that Thursday; its year is the week's year and its day of the year
    gives the week number.
    """
    thursday = f"date({day}, '-3 days', 'weekday 4')"
    return (
        f"strftime('%Y', {thursday}) || '-W' || "
        f"printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1)"
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def staff_copy(source: Path, target: Path) -> int:
    """Copy the staff tables, less the hidden columns, into a new file; the number of intakes.

    The live database is opened read-only, and only the staff tables are read from it.
    """
    with closing(sqlite3.connect(target.resolve().as_uri(), uri=True)) as copy:
        copy.execute("ATTACH DATABASE ? AS live", [source.resolve().as_uri() + "?mode=ro"])
        for table in STAFF_TABLES:
            info = copy.execute(f"PRAGMA live.table_info({_quoted(table)})").fetchall()
            columns = [row for row in info if row[1] not in HIDDEN_COLUMNS]
            names = ", ".join(_quoted(row[1]) for row in columns)
            keys = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
            definitions = [
                f"{_quoted(name)} {kind}{' NOT NULL' if not_null else ''}"
                for _, name, kind, not_null, _, _ in columns
            ]
            definitions.append(f"PRIMARY KEY ({', '.join(_quoted(key) for key in keys)})")
            # Table and column names come from storage's schema and SQLite, never from input.
            copy.execute(f"CREATE TABLE {_quoted(table)} ({', '.join(definitions)})")
            copy.execute(
                f"INSERT INTO main.{_quoted(table)} ({names}) "  # noqa: S608
                f"SELECT {names} FROM live.{_quoted(table)}"
            )
        copy.execute("CREATE INDEX intakes_week ON intakes (week)")
        copy.commit()
        copy.execute("DETACH DATABASE live")
        (count,) = copy.execute("SELECT count(*) FROM intakes").fetchone()
    return int(count)


# ---- what Datasette shows


def canned_queries(lang: Language) -> dict[str, dict[str, str]]:
    """The ready-made queries staff can run (they cannot write their own)."""
    no_danger, no = SAFETY_LEVELS[0], QUESTION_BY_KEY["safety"].no_code
    step_order = " ".join(
        f"WHEN '{step}' THEN {number}" for number, step in enumerate(PROGRESS_STEPS, 1)
    )
    # Built from the codes in flows and storage, never from input.
    sql = {
        "this_week": f"SELECT * FROM intakes WHERE week = {iso_week_sql()} ORDER BY clinic, id",  # noqa: S608
        "suggestions_by_clinic": (
            "SELECT clinic, suggestion, count(*) AS intakes FROM intakes "
            "GROUP BY clinic, suggestion ORDER BY clinic, intakes DESC, suggestion"
        ),
        "safety_responses": (
            "SELECT week, clinic, lang, role, safety_answer, safety_level, suggestion "  # noqa: S608
            f"FROM intakes WHERE safety_level != '{no_danger}' "
            f"OR (safety_answer IS NOT NULL AND safety_answer != '{no}') "
            "ORDER BY week DESC, clinic"
        ),
        "drop_off": (
            "SELECT question AS step, sum(count) AS reached FROM progress "  # noqa: S608
            f"GROUP BY question ORDER BY CASE question {step_order} ELSE 99 END"
        ),
    }
    return {
        name: {
            "sql": query,
            "title": text(lang, f"review.{name}"),
            "description": text(lang, f"review.{name}_description"),
        }
        for name, query in sql.items()
    }


def metadata(lang: Language) -> dict[str, object]:
    """Datasette's metadata: titles, column meanings, queries, and who may see what."""
    tables = {
        table: {
            "title": table,
            "description": table_meaning(lang, table),
            "columns": {
                column: column_meaning(lang, table, column)
                for column in TABLES[table].columns
                if column not in HIDDEN_COLUMNS
            },
            "sort_desc": "week",
        }
        for table in STAFF_TABLES
    }
    return {
        "title": text(lang, "review.title"),
        "description": text(lang, "review.description"),
        "allow": {"id": STAFF_ACCOUNT},
        "allow_sql": False,
        "plugins": {
            "datasette-auth-passwords": {
                f"{STAFF_ACCOUNT}_password_hash": {"$env": PASSWORD_HASH_ENV}
            }
        },
        "databases": {
            DATABASE: {
                "title": text(lang, "review.title"),
                "tables": tables,
                "queries": canned_queries(lang),
            }
        },
    }


# ---- the password


def check_password_hash(environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The staff password hash from the configuration, or ConfigError saying how to make one."""
    value = environ.get(PASSWORD_HASH_ENV, "").strip()
    if not value:
        raise storage.ConfigError(
            f"{PASSWORD_HASH_ENV} is not set: make a hash with `intake review --hash-password` "
            "and put it in .env (in single quotes: it contains $ signs)."
        )
    if not PASSWORD_HASH.fullmatch(value):
        raise storage.ConfigError(
            f"{PASSWORD_HASH_ENV} is not a password hash (pbkdf2_sha256$...): make one with "
            "`intake review --hash-password`; never put the password itself there."
        )
    return value


def hash_password_command(lang: Language) -> int:
    """Ask for a new staff password (twice at a terminal) and print its hash."""
    from datasette_auth_passwords.utils import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass(text(lang, "review.password") + " ")
        if getpass.getpass(text(lang, "review.password_again") + " ") != password:
            print(text(lang, "review.password_mismatch"), file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        print(text(lang, "review.password_short", length=MIN_PASSWORD_LENGTH), file=sys.stderr)
        return 1
    hashed = hash_password(password)
    print(hashed)
    print(text(lang, "review.hash_hint", name=PASSWORD_HASH_ENV, hash=hashed), file=sys.stderr)
    return 0


# ---- serving


def serve(copy: Path, metadata_file: Path, port: int) -> None:
    """Run `datasette serve` on the copy until interrupted."""
    from datasette.cli import cli

    cli.main(
        [
            "serve",
            "--immutable", str(copy),
            "--metadata", str(metadata_file),
            "--host", HOST,
            "--port", str(port),
            "--setting", "default_allow_sql", "off",
            "--setting", "allow_download", "off",
        ],
        prog_name="datasette",
        standalone_mode=False,
    )  # fmt: skip


class _StopSignalError(Exception):
    """Ctrl-C or SIGTERM: stop serving and delete the copy."""


def _stop(signum: int, frame: object) -> None:
    raise _StopSignalError


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    if args.hash_password:
        return hash_password_command(lang)
    check_password_hash()
    source = existing_database(args.db)
    storage.open_db(source).close()  # brings an older database's tables up to date first
    # uvicorn stops gracefully on a signal and then raises it again; these handlers turn it
    # into an exception, so the temporary copy is deleted (retention applies to copies too).
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with tempfile.TemporaryDirectory(prefix="intake-review-") as folder:
            copy = Path(folder) / f"{DATABASE}.db"
            intakes = staff_copy(source, copy)
            metadata_file = Path(folder) / "metadata.json"
            metadata_file.write_text(json.dumps(metadata(lang), ensure_ascii=False), "utf-8")
            print(text(lang, "review.snapshot", intakes=intakes, port=args.port), flush=True)
            serve(copy, metadata_file, args.port)
    except _StopSignalError:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
