"""Deleting on request (erasure) and on schedule (retention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlite_utils import Database

from storage.config import DEFAULT_INTAKE_MONTHS, DEFAULT_LINK_DAYS, DEFAULT_SESSION_IDLE_DAYS
from storage.dates import iso_week, months_before
from storage.pseudonyms import check_pseudonym
from storage.transaction import transaction


@dataclass(frozen=True, slots=True)
class Erasure:
    """What `erase` deleted, to tell the parent."""

    sessions: int
    intakes: int


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What `purge` deleted, and whether the write-ahead log could be emptied of it."""

    sessions: int
    links: int
    intakes: int
    flushed: bool = True  # False: a reader kept the log, and old copies of what went with it


def erase(db: Database, pseudonym: str) -> Erasure:
    """Delete the parent's session, every intake still linked to them, the links, and any
    undelivered reply.

    Intakes whose link has already expired cannot be found any more, by design. The anonymous
    progress counts are not touched: nothing in them belongs to anyone.
    """
    check_pseudonym(pseudonym)
    with transaction(db):
        sessions = db.execute("DELETE FROM sessions WHERE pseudonym = ?", [pseudonym]).rowcount
        db.execute("DELETE FROM outbox WHERE pseudonym = ?", [pseudonym])
        intakes = db.execute(
            "DELETE FROM intakes WHERE id IN (SELECT intake_id FROM links WHERE pseudonym = ?)",
            [pseudonym],
        ).rowcount
        # Already gone by ON DELETE CASCADE; kept for a connection without foreign keys on.
        db.execute("DELETE FROM links WHERE pseudonym = ?", [pseudonym])
    flush_wal(db)
    return Erasure(sessions=sessions, intakes=intakes)


def purge(
    db: Database,
    *,
    session_idle_days: int = DEFAULT_SESSION_IDLE_DAYS,
    link_days: int = DEFAULT_LINK_DAYS,
    intake_months: int = DEFAULT_INTAKE_MONTHS,
    today: date | None = None,
) -> PurgeReport:
    """Apply retention and report what went; the bot runs it daily, `intake purge` on demand.

    Deletes sessions idle longer than ``session_idle_days`` (and undelivered replies as old),
    links that have expired, and intakes from before the ISO week ``intake_months`` months
    ago. A link never outlives ``link_days`` from today, even one made under a longer setting.
    """
    day = today or date.today()
    idle = (day - timedelta(days=session_idle_days)).isoformat()
    with transaction(db):
        sessions = db.execute("DELETE FROM sessions WHERE last_active_day < ?", [idle]).rowcount
        # An undelivered reply goes with its session, or as old as one would be.
        db.execute(
            "DELETE FROM outbox WHERE day < ? OR (shown IS NOT NULL AND pseudonym NOT IN "
            "(SELECT pseudonym FROM sessions))",
            [idle],
        )
        latest = (day + timedelta(days=link_days)).isoformat()
        db.execute("UPDATE links SET expires_on = ? WHERE expires_on > ?", [latest, latest])
        links = db.execute("DELETE FROM links WHERE expires_on <= ?", [day.isoformat()]).rowcount
        intakes = db.execute(
            "DELETE FROM intakes WHERE week < ?", [iso_week(months_before(day, intake_months))]
        ).rowcount
    return PurgeReport(sessions=sessions, links=links, intakes=intakes, flushed=flush_wal(db))


def flush_wal(db: Database) -> bool:
    """Empty the write-ahead log into the database file and truncate it; True if it was emptied.

    Deleted rows are zeroed in their pages (``secure_delete``), but older copies of those pages
    stay in the log until it is checkpointed and truncated. `erase` and `purge` call this
    themselves; a caller that wraps them in its own transaction calls it after the commit
    (inside a transaction it does nothing). While another connection is in a read transaction
    (a backup tool, say) the log cannot be truncated: this returns False at once, without
    waiting, and the caller tries again later.
    """
    if db.conn.in_transaction:
        return False
    timeout: int = db.execute("PRAGMA busy_timeout").fetchone()[0]
    # With the connection's busy timeout, a reader would hold this call (and a bot's event
    # loop) for seconds before it gave up anyway.
    db.execute("PRAGMA busy_timeout = 0")
    try:
        busy: int = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
    finally:
        db.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    return busy == 0
