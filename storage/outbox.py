"""The outbox: what a step sends, kept until it is delivered, so a crash loses no reply.

One row per pseudonym at most: the replies of the parent's latest step, written in the same
transaction as the conversation they belong to, and deleted once delivered. The messages
are opaque here (the adapter's JSON) and hold free text only as the session does, scrubbed.
No address is kept: nothing here says where to send; the row is delivered when the parent
next writes (docs/delivery.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlite_utils import Database

from storage.pseudonyms import check_pseudonym


@dataclass(frozen=True, slots=True)
class Pending:
    """An undelivered step: its messages and what the parent had on screen before it."""

    revision: int  # the conversation revision the messages show (their keyboards carry it)
    messages: str  # the adapter's JSON
    shown: str | None  # the conversation as the parent last saw it; None after the end
    last_message: int  # the highest message number of the chat known when it was written


def save_outbox(
    db: Database,
    pseudonym: str,
    *,
    key: str,
    revision: int,
    messages: str,
    shown: str | None,
    last_message: int,
    today: date | None = None,
) -> None:
    """Keep the step's messages until they are delivered (replacing any older step's)."""
    db.execute(
        "INSERT INTO outbox (pseudonym, key, revision, messages, shown, last_message, day) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (pseudonym) DO UPDATE SET "
        "key = excluded.key, revision = excluded.revision, messages = excluded.messages, "
        "shown = excluded.shown, last_message = excluded.last_message, day = excluded.day",
        [
            check_pseudonym(pseudonym),
            key,
            revision,
            messages,
            shown,
            last_message,
            (today or date.today()).isoformat(),
        ],
    )


def load_outbox(db: Database, pseudonym: str) -> Pending | None:
    """The parent's undelivered step, if there is one."""
    row = db.execute(
        "SELECT revision, messages, shown, last_message FROM outbox WHERE pseudonym = ?",
        [check_pseudonym(pseudonym)],
    ).fetchone()
    return None if row is None else Pending(int(row[0]), str(row[1]), row[2], int(row[3]))


def delete_outbox(db: Database, pseudonyms: Iterable[str]) -> int:
    """Forget delivered steps, in one statement per few hundred; how many rows went."""
    keys = [check_pseudonym(pseudonym) for pseudonym in pseudonyms]
    gone = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        # Only placeholders are formatted in; the values are bound.
        gone += db.execute(f"DELETE FROM outbox WHERE pseudonym IN ({marks})", chunk).rowcount  # noqa: S608
    return gone


def outbox_pseudonyms(db: Database) -> list[str]:
    """The pseudonyms with a step waiting (read once, at start)."""
    return [str(row[0]) for row in db.execute("SELECT pseudonym FROM outbox").fetchall()]


def count_outbox(db: Database) -> int:
    """How many steps wait for their parent's next message."""
    return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])
