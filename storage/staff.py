"""What staff tools read: intake rows and progress counts, and the copy `intake review` serves.

Only the staff tables (`schema.STAFF_TABLES`) are ever read here; sessions and links, the only
places a pseudonym is kept, are not. Every query is built from the names in `storage.schema`
and from codes the caller passes, never from input; values travel as parameters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from storage.dates import check_week
from storage.schema import CLINIC_CODE, STAFF_TABLES, TABLES

#: The one column in a parent's own words: never in the review copy, exported only on request.
FREE_TEXT = "free_text"
#: Columns of the staff tables that the review copy leaves out.
HIDDEN_COLUMNS = frozenset({FREE_TEXT})
#: Columns every intake has, in storage's order.
INTAKE_COLUMNS: tuple[str, ...] = tuple(TABLES["intakes"].columns)


@dataclass(frozen=True, slots=True)
class ProgressCount:
    """How many conversations reached one step in one week at one clinic."""

    week: str
    clinic: str
    question: str
    count: int


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def selection_where(since_week: str | None, clinic: str | None) -> tuple[str, list[str]]:
    """The WHERE clause (or "") and its parameters for a first week and a clinic."""
    where: list[str] = []
    params: list[str] = []
    if since_week is not None:
        where.append("week >= ?")
        params.append(check_week(since_week))
    if clinic is not None:
        if not CLINIC_CODE.fullmatch(clinic):
            raise ValueError("not a clinic code")
        where.append("clinic = ?")
        params.append(clinic)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def intake_rows(
    db: Database,
    *,
    since_week: str | None = None,
    clinic: str | None = None,
    columns: Sequence[str] = INTAKE_COLUMNS,
) -> list[dict[str, object]]:
    """Intake records for staff tools, by week, then by random id; only the ``columns`` asked.

    Never sessions or links. Staff tools that show no free text ask without it, so it does
    not leave the database for them at all.
    """
    unknown = set(columns) - set(INTAKE_COLUMNS)
    if unknown or not columns:
        raise ValueError(f"not columns of intakes: {', '.join(sorted(unknown)) or '(none)'}")
    where, params = selection_where(since_week, clinic)
    names = ", ".join(_quoted(name) for name in columns)
    # Column names are checked against the schema above; values are parameters.
    return list(db.query(f"SELECT {names} FROM intakes{where} ORDER BY week, id", params))  # noqa: S608


def progress_counts(
    db: Database, *, since_week: str | None = None, clinic: str | None = None
) -> list[ProgressCount]:
    """Anonymous progress counts in the selection, by week, clinic and step."""
    where, params = selection_where(since_week, clinic)
    rows = db.execute(
        f"SELECT week, clinic, question, count FROM progress{where} "  # noqa: S608
        "ORDER BY week, clinic, question",
        params,
    ).fetchall()
    return [ProgressCount(str(w), str(c), str(q), int(n)) for w, c, q, n in rows]


# ---- the copy that `intake review` serves


def labels_table(column: str) -> str:
    """The copy's table of labels for one coded column, e.g. ``labels_role``."""
    return f"labels_{column}"


def iso_week_sql(day: str = "'now'") -> str:
    """SQL for the ISO week of ``day`` (a date expression), as storage writes it: 2026-W48.

    The ISO week is the week of the Thursday in it: three days back, then forward to a
    Thursday, gives that Thursday; its year is the week's year and its day of the year
    gives the week number.
    """
    thursday = f"date({day}, '-3 days', 'weekday 4')"
    return (
        f"strftime('%Y', {thursday}) || '-W' || "
        f"printf('%02d', (CAST(strftime('%j', {thursday}) AS INTEGER) - 1) / 7 + 1)"
    )


def create_staff_copy(
    source: Path, target: Path, labels: Mapping[str, Mapping[str, str]], extra: str = ""
) -> int:
    """A new SQLite file with the staff tables (less hidden columns) and their code labels.

    ``labels`` maps a coded column to {code: label} in the staff language; each becomes a
    ``labels_<column>`` table the column refers to, so a browser can show the label beside
    the code. ``extra`` is more schema for the caller's own tables (the audit log). Rows are
    filled by `refresh_staff_copy`, whose count of intakes this returns.
    """
    with closing(_connect_live(source)) as live, closing(sqlite3.connect(target)) as copy:
        copy.execute("PRAGMA journal_mode = WAL")  # readers see whole refreshes, never wait
        for column, by_code in labels.items():
            copy.execute(
                f"CREATE TABLE {_quoted(labels_table(column))} "
                "(code TEXT PRIMARY KEY NOT NULL, label TEXT NOT NULL) WITHOUT ROWID"
            )
            copy.executemany(
                f"INSERT INTO {_quoted(labels_table(column))} VALUES (?, ?)",  # noqa: S608
                list(by_code.items()),
            )
        for table in STAFF_TABLES:
            info = live.execute(f"PRAGMA table_info({_quoted(table)})").fetchall()
            keys = [row[1] for row in sorted(info, key=lambda row: row[5]) if row[5]]
            definitions = [
                f"{_quoted(name)} {kind}{' NOT NULL' if not_null else ''}"
                + (
                    f" REFERENCES {_quoted(labels_table(name))} (code)"
                    if name in labels and name not in keys
                    else ""
                )
                for _, name, kind, not_null, _, _ in info
                if name not in HIDDEN_COLUMNS
            ]
            definitions.append(f"PRIMARY KEY ({', '.join(_quoted(key) for key in keys)})")
            copy.execute(f"CREATE TABLE {_quoted(table)} ({', '.join(definitions)}) WITHOUT ROWID")
        copy.execute("CREATE INDEX intakes_week ON intakes (week)")
        if extra:
            copy.executescript(extra)
        copy.commit()
    return refresh_staff_copy(source, target)


def refresh_staff_copy(source: Path, target: Path) -> int:
    """Replace the copy's rows with the live staff tables' rows, in one transaction.

    The live database is opened read-only; a browser reading the copy meanwhile sees the
    old rows or the new ones, never a mixture. Returns the number of intakes.
    """
    with closing(sqlite3.connect(target, timeout=30)) as copy:
        copy.execute("ATTACH DATABASE ? AS live", [_read_only_uri(source)])
        with copy:
            for table in STAFF_TABLES:
                served = [row[1] for row in copy.execute(f"PRAGMA main.table_info({table})")]
                names = ", ".join(_quoted(name) for name in served)
                copy.execute(f"DELETE FROM main.{_quoted(table)}")  # noqa: S608
                copy.execute(
                    f"INSERT INTO main.{_quoted(table)} ({names}) "  # noqa: S608
                    f"SELECT {names} FROM live.{_quoted(table)}"
                )
        copy.execute("DETACH DATABASE live")
        (count,) = copy.execute("SELECT count(*) FROM intakes").fetchone()
    return int(count)


def replace_rows(target: Path, table: str, rows: Sequence[Sequence[object]]) -> None:
    """Put these rows in place of a copy's caller-made table (the audit log), in one go."""
    with closing(sqlite3.connect(target, timeout=30)) as copy, copy:
        copy.execute(f"DELETE FROM {_quoted(table)}")  # noqa: S608
        if rows:
            marks = ", ".join("?" for _ in rows[0])
            copy.executemany(f"INSERT INTO {_quoted(table)} VALUES ({marks})", rows)  # noqa: S608


def _read_only_uri(path: Path) -> str:
    return path.resolve().as_uri() + "?mode=ro"


def _connect_live(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(_read_only_uri(path), uri=True)


def labelled_select(table: str, columns: Sequence[str], labelled: Sequence[str]) -> str:
    """``SELECT`` of ``columns`` where each ``labelled`` one shows its label (else its code)."""
    parts, joins = [], []
    for index, column in enumerate(columns):
        name = _quoted(column)
        if column in labelled:
            alias = f"l{index}"
            parts.append(f"coalesce({alias}.label, t.{name}) AS {name}")
            joins.append(
                f"LEFT JOIN {_quoted(labels_table(column))} {alias} ON {alias}.code = t.{name}"
            )
        else:
            parts.append(f"t.{name}")
    return f"SELECT {', '.join(parts)} FROM {_quoted(table)} t {' '.join(joins)}"  # noqa: S608


def staff_queries(
    columns: Sequence[str],
    labelled: Sequence[str],
    steps: Sequence[str],
    calm_level: str,
    no_answer: str,
) -> dict[str, str]:
    """The ready-made queries of the review copy, with labels in place of codes.

    ``steps`` is the conversation's order of progress steps, ``calm_level`` the safety level
    that means no message was shown, ``no_answer`` the safety answer that means no.
    """
    intakes = labelled_select("intakes", columns, labelled)
    order = " ".join(f"WHEN {_literal(step)} THEN {number}" for number, step in enumerate(steps, 1))
    question = _label("question", "p.question", labelled)
    suggestion = _label("suggestion", "t.suggestion", labelled)
    return {
        "this_week": f"{intakes} WHERE t.week = {iso_week_sql()} ORDER BY t.clinic, t.id",
        "suggestions_by_clinic": (
            f"SELECT t.clinic, {suggestion} AS suggestion, count(*) AS intakes "  # noqa: S608
            f"FROM intakes t {_join('suggestion', 't.suggestion', labelled)} "
            "GROUP BY t.clinic, t.suggestion ORDER BY t.clinic, intakes DESC, t.suggestion"
        ),
        "safety_responses": (
            labelled_select(
                "intakes",
                ["week", "clinic", "lang", "role", "safety_answer", "safety_level", "suggestion"],
                labelled,
            )
            + f" WHERE t.safety_level != {_literal(calm_level)} OR (t.safety_answer IS NOT NULL"
            f" AND t.safety_answer != {_literal(no_answer)}) ORDER BY t.week DESC, t.clinic"
        ),
        "drop_off": (
            f"SELECT {question} AS step, sum(p.count) AS reached FROM progress p "  # noqa: S608
            f"{_join('question', 'p.question', labelled)} "
            f"GROUP BY p.question ORDER BY CASE p.question {order} ELSE 99 END"
        ),
    }


def _label(column: str, expression: str, labelled: Sequence[str]) -> str:
    return f"coalesce(l_{column}.label, {expression})" if column in labelled else expression


def _join(column: str, expression: str, labelled: Sequence[str]) -> str:
    if column not in labelled:
        return ""
    return f"LEFT JOIN {_quoted(labels_table(column))} l_{column} ON l_{column}.code = {expression}"


def _literal(code: str) -> str:
    """A code as an SQL string literal; codes are letters, digits and underscores."""
    if not code.replace("_", "").isalnum():
        raise ValueError("not a code")
    return f"'{code}'"
