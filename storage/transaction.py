"""Writes in one plain transaction: a step's writes commit together, with no savepoint inside."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """The block's writes in one transaction: its own, or the caller's when one is open.

    Alone, the block gets ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back if it raises): the
    write lock is taken first, so a database another program holds is waited for (the busy
    timeout) and refused ("database is locked", which the bot retries) before anything is
    read, never half-way through. Inside an open transaction the block joins it, and the
    outer one commits or rolls back everything. sqlite-utils' `Database.atomic` would open a
    SAVEPOINT there instead, so that an inner block could be rolled back alone; nothing here
    catches an inner failure and goes on, and a step paid two more statements and a random
    savepoint name for each storage call it made.
    """
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.execute("COMMIT")
    except BaseException:
        # A no-op when the error has already ended the transaction: the error propagates.
        db.rollback()
        raise
