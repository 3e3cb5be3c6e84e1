"""Completed intakes, anonymised, and anonymous counts of how far conversations got."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from sqlite_utils import Database

from storage.config import DEFAULT_LINK_DAYS
from storage.dates import iso_week
from storage.pseudonyms import check_pseudonym
from storage.schema import CLINIC_CODE, RECORD_COLUMNS, STEP_CODE
from storage.scrub import scrub
from storage.transaction import transaction

_INTAKE_COLUMNS = ("id", "week", *RECORD_COLUMNS)
# Built from the constant column list in schema.py, never from input.
_INSERT_INTAKE = (
    f"INSERT INTO intakes ({', '.join(_INTAKE_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' for _ in _INTAKE_COLUMNS)})"
)


def record_intake(
    db: Database,
    record: Mapping[str, object],
    *,
    pseudonym: str | None,
    names: Sequence[str] = (),
    link_days: int = DEFAULT_LINK_DAYS,
    key: str = "",
    today: date | None = None,
) -> str:
    """Store one completed intake and return its random id.

    The row gets the ISO week of today and no finer time. ``free_text`` is scrubbed, with the
    parent's own ``names``, before it is written. With a ``pseudonym``, a link lets the parent
    erase the intake until it expires after ``link_days``; after that nothing ties the row to
    anyone (``key``: the fingerprint of the key that made the pseudonym). The session is left
    alone: the caller decides when it goes.
    """
    row = check_record(record)
    link = None if pseudonym is None else check_pseudonym(pseudonym)
    if isinstance(row["free_text"], str):
        row["free_text"] = scrub(row["free_text"], names).strip() or None
    day = today or date.today()
    intake_id = uuid.uuid4().hex
    with transaction(db):
        db.execute(_INSERT_INTAKE, [intake_id, iso_week(day), *row.values()])
        if link is not None:
            db.execute(
                "INSERT INTO links (pseudonym, intake_id, expires_on, key) VALUES (?, ?, ?, ?)",
                [link, intake_id, (day + timedelta(days=link_days)).isoformat(), key],
            )
    return intake_id


def check_record(record: Mapping[str, object]) -> dict[str, object]:
    """The record's values in column order, or ValueError naming the first field that is wrong.

    Messages name fields, never values: a wrong value may be exactly the personal detail that
    must not reach a log.
    """
    unknown = sorted(set(record) - set(RECORD_COLUMNS))
    if unknown:
        raise ValueError(f"unknown intake fields: {', '.join(unknown)}")
    row: dict[str, object] = {}
    for name, column in RECORD_COLUMNS.items():
        value = record.get(name)
        if value is None:
            if column.required:
                raise ValueError(f"intake field {name} is required")
        elif name == "flow_version":
            if type(value) is not int or value < 1:
                raise ValueError("intake field flow_version must be a positive int")
        elif not isinstance(value, str):
            raise ValueError(f"intake field {name} must be a string")
        elif column.codes and value not in column.codes:
            raise ValueError(f"intake field {name} holds an unknown code")
        elif name == "clinic" and not CLINIC_CODE.fullmatch(value):
            raise ValueError("intake field clinic is not a clinic code")
        row[name] = value
    return row


def count_progress(db: Database, question: str, clinic: str, *, today: date | None = None) -> None:
    """Count one conversation reaching ``question`` this week at ``clinic``, and nothing else."""
    if not STEP_CODE.fullmatch(question):
        raise ValueError("progress question must be a step code such as baby_reacts")
    if not CLINIC_CODE.fullmatch(clinic):
        raise ValueError("progress clinic must be a clinic code")
    with transaction(db):
        db.execute(
            "INSERT INTO progress (week, clinic, question, count) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (week, clinic, question) DO UPDATE SET count = count + 1",
            [iso_week(today or date.today()), clinic, question],
        )
