"""Rotating the pseudonymisation key: which rows still use an older key, and moving them.

Each session, link and undelivered reply carries the fingerprint of the key that made its
pseudonym (`key_fingerprint`). While the previous key is configured, a parent found only under
it is moved to the current key on their next message (`move_pseudonym`), and erasure reaches
both; what is still under an older key is counted (`keys_in_use`), so the previous key can be
dropped once nothing uses it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlite_utils import Database

from storage.pseudonyms import check_pseudonym
from storage.transaction import transaction

#: The tables whose rows are keyed by pseudonym.
PSEUDONYM_TABLES = ("sessions", "links", "outbox")


@dataclass(frozen=True, slots=True)
class KeysInUse:
    """How many sessions and links were made under each key fingerprint."""

    sessions: Counter[str]
    links: Counter[str]

    def other_than(self, key: str) -> tuple[int, int]:
        """Sessions and links under any key but this one."""
        return (
            sum(n for k, n in self.sessions.items() if k != key),
            sum(n for k, n in self.links.items() if k != key),
        )


def move_pseudonym(db: Database, old: str, new: str, key: str) -> bool:
    """Move every row of the parent from the old pseudonym to the new one; True if any moved.

    The caller holds the transaction. A row already under the new pseudonym wins over the old
    one (a session saved since the rotation is the newer one).
    """
    check_pseudonym(old)
    check_pseudonym(new)
    moved = 0
    for table in PSEUDONYM_TABLES:
        # Constant table names from PSEUDONYM_TABLES, never input.
        moved += db.execute(
            f"UPDATE OR IGNORE {table} SET pseudonym = ?, key = ? WHERE pseudonym = ?",  # noqa: S608
            [new, key, old],
        ).rowcount
        db.execute(f"DELETE FROM {table} WHERE pseudonym = ?", [old])  # noqa: S608
    return moved > 0


def stamp_keys(db: Database, key: str) -> int:
    """Give rows made before fingerprints were kept the fingerprint of ``key``.

    Called at start only when no previous key is configured: then every such row was made
    under the current key.
    """
    stamped = 0
    with transaction(db):
        for table in PSEUDONYM_TABLES:
            stamped += db.execute(
                f"UPDATE {table} SET key = ? WHERE key = ''",  # noqa: S608
                [key],
            ).rowcount
    return stamped


def keys_in_use(db: Database) -> KeysInUse:
    """Sessions and links by the fingerprint of the key that made their pseudonym."""

    def count(table: str) -> Counter[str]:
        rows = db.execute(f"SELECT key, count(*) FROM {table} GROUP BY key")  # noqa: S608
        return Counter({str(key): int(n) for key, n in rows.fetchall()})

    return KeysInUse(sessions=count("sessions"), links=count("links"))
