"""Unfinished conversations, one per pseudonym, saved after every answer."""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from storage.pseudonyms import check_pseudonym
from storage.transaction import transaction


def load_session(db: Database, pseudonym: str) -> str | None:
    """The saved conversation (the engine's JSON, opaque here), or None if there is none."""
    row = db.execute(
        "SELECT conversation FROM sessions WHERE pseudonym = ?", [check_pseudonym(pseudonym)]
    ).fetchone()
    return None if row is None else str(row[0])


def save_session(
    db: Database,
    pseudonym: str,
    conversation_json: str,
    *,
    key: str = "",
    today: date | None = None,
) -> None:
    """Save the conversation; it is on disk when this returns, so the reply may be sent.

    Only the day of the last answer is kept, for purging idle sessions. The conversation must
    already be free of personal details: typed free text goes through `scrub` first. ``key``
    is the fingerprint of the key that made the pseudonym (`key_fingerprint`).
    """
    day = (today or date.today()).isoformat()
    with transaction(db):
        db.execute(
            "INSERT INTO sessions (pseudonym, conversation, last_active_day, key) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (pseudonym) DO UPDATE SET conversation = excluded.conversation, "
            "last_active_day = excluded.last_active_day, key = excluded.key",
            [check_pseudonym(pseudonym), conversation_json, day, key],
        )


def delete_session(db: Database, pseudonym: str) -> bool:
    """Forget the unfinished conversation; True if there was one."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM sessions WHERE pseudonym = ?", [check_pseudonym(pseudonym)]
        )
    return cursor.rowcount > 0
