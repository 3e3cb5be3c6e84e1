"""`intake review`: browse the anonymised intakes in Datasette, read-only, one login per person.

Datasette never opens the live database. The staff tables (intakes without their free text,
and progress counts) are copied into a SQLite file in a private temporary folder, with every
code's label in the staff language beside it, and only that copy is served: sessions, links
and pseudonyms are not in it, so no query, canned or crafted, can reach them. The copy is
rebuilt from the live database while the server runs (`bot.staff.review_site`), at most
every ``--refresh`` seconds and after each login. Arbitrary SQL is off all the same, the
server listens on 127.0.0.1 only, and every page needs a staff login
(datasette-auth-passwords; accounts from `bot.staff.accounts`). Logins, views and downloads
are counted per staff member and ISO week in the access log, its own database file.
"""

from __future__ import annotations

import argparse
import getpass
import html
import json
import os
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import storage
from bot import settings
from bot.settings import ACCOUNTS_FILE_ENV, PASSWORD_HASH_ENV
from bot.staff.accounts import Account, load_accounts, password_problem
from bot.staff.selection import add_database_argument, add_language_argument, existing_database
from bot.staff.texts import code_label, column_meaning, language, step_label, table_meaning, text
from flows.model import SAFETY_LEVELS, Language
from flows.questions import PROGRESS_STEPS, QUESTION_BY_KEY
from storage.audit import ACTIONS, AUDIT_TABLE_SQL, STAFF_NAME, audit_path, open_audit
from storage.schema import RECORD_COLUMNS, STAFF_TABLES, TABLES
from storage.staff import HIDDEN_COLUMNS, create_staff_copy, labels_table, staff_queries

DATABASE = "intake"  # the served copy's name, and so its path: /intake/intakes
AUDIT_TABLE = "audit"
#: The access log's columns, described for staff.
AUDIT_COLUMNS = ("week", "staff", "action", "subject", "count")
HOST = "127.0.0.1"  # never another interface: reach it from elsewhere through an SSH tunnel
DEFAULT_REFRESH = 60.0
#: Where each account's hash waits for Datasette to read it (never in the served metadata).
HASH_VARIABLE = "INTAKE_REVIEW_HASH_{number}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_database_argument(parser)
    parser.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    parser.add_argument(
        "--refresh",
        type=float,
        default=DEFAULT_REFRESH,
        metavar="SECONDS",
        help="rebuild the served copy at most this often while pages are asked for (default 60)",
    )
    parser.add_argument(
        "--hash-password",
        metavar="NAME",
        help="print an account line (NAME:HASH) for a new staff password, and exit",
    )
    add_language_argument(parser)


# ---- what Datasette shows


def served_columns() -> list[str]:
    return [c for c in TABLES["intakes"].columns if c not in HIDDEN_COLUMNS]


def labels(lang: Language) -> dict[str, dict[str, str]]:
    """Every coded column's codes and their labels in the staff language, for the copy."""
    coded = {
        column: {code: code_label(lang, column, code) for code in RECORD_COLUMNS[column].codes}
        for column in served_columns()
        if column in RECORD_COLUMNS and RECORD_COLUMNS[column].codes
    }
    coded["question"] = {step: step_label(lang, step) for step in PROGRESS_STEPS}
    coded["action"] = {action: text(lang, f"review.action.{action}") for action in ACTIONS}
    return coded


def canned_queries(lang: Language) -> dict[str, dict[str, str]]:
    """The ready-made queries staff can run (they cannot write their own), with labels."""
    sql = staff_queries(
        served_columns(),
        list(labels(lang)),
        PROGRESS_STEPS,
        calm_level=SAFETY_LEVELS[0],
        no_answer=QUESTION_BY_KEY["safety"].no_code,
    )
    return {
        name: {
            "sql": query,
            "title": text(lang, f"review.{name}"),
            "description": text(lang, f"review.{name}_description"),
        }
        for name, query in sql.items()
    }


def folded(lang: Language, description: str, columns: dict[str, str]) -> str:
    """A table's description with its column descriptions folded away (HTML, escaped)."""
    rows = "".join(
        f"<dt>{html.escape(name)}</dt><dd>{html.escape(meaning)}</dd>"
        for name, meaning in columns.items()
    )
    return (
        f"<p>{html.escape(description)}</p><details><summary>"
        f"{html.escape(text(lang, 'review.columns'))}</summary><dl>{rows}</dl></details>"
    )


def table_metadata(lang: Language) -> dict[str, dict[str, object]]:
    described = {
        table: (
            table_meaning(lang, table),
            {
                column: column_meaning(lang, table, column)
                for column in TABLES[table].columns
                if column not in HIDDEN_COLUMNS
            },
        )
        for table in STAFF_TABLES
    }
    described[AUDIT_TABLE] = (
        text(lang, "review.audit_description"),
        {column: text(lang, f"review.audit_{column}") for column in AUDIT_COLUMNS},
    )
    tables: dict[str, dict[str, object]] = {
        table: {
            "title": text(lang, f"review.table_{table}"),
            "description_html": folded(lang, description, columns),
            "sort_desc": "week",
        }
        for table, (description, columns) in described.items()
    }
    for column in labels(lang):
        tables[labels_table(column)] = {"hidden": True, "label_column": "label"}
    return tables


def metadata(lang: Language, accounts: Sequence[Account]) -> dict[str, object]:
    """Datasette's metadata: titles, descriptions, queries, and who may see what.

    The hashes themselves are not in it (Datasette shows its metadata to logged-in users):
    each is read from an environment variable of this process only.
    """
    return {
        "title": text(lang, "review.title"),
        "description": text(lang, "review.description"),
        "allow": {"id": [account.name for account in accounts]},
        "allow_sql": False,
        "plugins": {
            "datasette-auth-passwords": {
                f"{account.name}_password_hash": {"$env": HASH_VARIABLE.format(number=number)}
                for number, account in enumerate(accounts)
            }
        },
        "databases": {
            DATABASE: {
                "title": text(lang, "review.title"),
                "tables": table_metadata(lang),
                "queries": canned_queries(lang),
            }
        },
    }


# ---- the password


def hash_password_command(lang: Language, name: str) -> int:
    """Ask for a new staff member's password (twice at a terminal); print their account line."""
    from datasette_auth_passwords.utils import hash_password

    if not STAFF_NAME.fullmatch(name):
        print(text(lang, "review.bad_name", name=name), file=sys.stderr)
        return 1
    if sys.stdin.isatty():
        password = getpass.getpass(text(lang, "review.password", name=name) + " ")
        if getpass.getpass(text(lang, "review.password_again") + " ") != password:
            print(text(lang, "review.password_mismatch"), file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password, name)
    if problem:
        key, values = problem
        print(text(lang, key, **values), file=sys.stderr)
        return 1
    line = f"{name}:{hash_password(password)}"
    print(line)
    hint = text(lang, "review.hash_hint", file=ACCOUNTS_FILE_ENV, name=PASSWORD_HASH_ENV)
    print(hint, file=sys.stderr)
    return 0


# ---- serving


def serve(copy: Path, metadata_file: Path, port: int) -> None:
    """Run `datasette serve` on the copy until interrupted."""
    from datasette.cli import cli

    cli.main(
        [
            "serve",
            str(copy),
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


def audit_file(db: Path) -> Path:
    return settings.audit_db() or audit_path(db)


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    if args.hash_password is not None:
        return hash_password_command(lang, args.hash_password)
    accounts = load_accounts()
    source = existing_database(args.db)
    storage.open_db(source).close()  # brings an older database's tables up to date first
    audit = audit_file(source)
    open_audit(audit).close()
    from bot.staff.review_site import ReviewSite, install

    for number, account in enumerate(accounts):
        os.environ[HASH_VARIABLE.format(number=number)] = account.password_hash
    # uvicorn stops gracefully on a signal and then raises it again; these handlers turn it
    # into an exception, so the temporary copy is deleted (retention applies to copies too).
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with tempfile.TemporaryDirectory(prefix="intake-review-") as folder:
            copy = Path(folder) / f"{DATABASE}.db"
            meta = metadata(lang, accounts)
            queries = meta["databases"][DATABASE]["queries"]  # type: ignore[index]
            subjects = frozenset({*STAFF_TABLES, AUDIT_TABLE, *queries})
            intakes = create_staff_copy(source, copy, labels(lang), AUDIT_TABLE_SQL)
            site = ReviewSite(source, copy, audit, DATABASE, subjects, args.refresh)
            site.rebuild()
            install(site)
            metadata_file = Path(folder) / "metadata.json"
            metadata_file.write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
            names = ", ".join(account.name for account in accounts)
            print(
                text(lang, "review.serving", intakes=intakes, port=args.port, names=names,
                     seconds=f"{args.refresh:g}"),
                flush=True,
            )  # fmt: skip
            serve(copy, metadata_file, args.port)
    except _StopSignalError:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
