"""How fast storage commits answers, and how big the database grows.

    .venv/bin/python -m bench.storage [--dir DIR] [--answers N] [--intakes N]

Committed answers per second: `save_session` with the bot's settings (WAL, synchronous=FULL,
secure_delete), each call a durable commit, against a baseline of bare `sqlite3` doing the same
INSERT and commit per row with the same pragmas. Size: the database file per 10,000 intakes
with realistic free text (scrubbed on the way in, as in production). Run it on the disk the
bot will use (``--dir``): fsync cost is most of what is measured.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from storage import flush_wal, open_db, pseudonym_for, purge, record_intake, save_session
from storage.config import DEFAULT_LINK_DAYS
from storage.schema import RECORD_COLUMNS

SECRET = "bench-secret-0123456789abcdef"

PHRASES = [
    "Hon sover bara korta stunder och vaknar skrikande.",
    "Jag känner mig ofta ensam med allt, min sambo jobbar mycket.",
    "Amningen har varit svår från början.",
    "Han verkar lugn med andra men gråter mycket hos mig.",
    "Vi har varit på BVC två gånger men jag vill förstå mer.",
    "She cries a lot in the evenings and I feel I am doing something wrong.",
    "My partner thinks I worry too much.",
    "We moved here last year and have no family nearby.",
    "Feeding takes over an hour every time.",
    "I would like someone to look at us together.",
    "Ring mig gärna på 070-123 45 67 efter kl 17.",
    "You can e-mail me at parent@example.com.",
]


def conversation(step: int) -> str:
    """A saved conversation as the engine writes one, about halfway through."""
    answers = {"role": "mother", "age_band": "under_6m", "baby_reacts": "often"}
    return json.dumps(
        {
            "state": "wish_main",
            "lang": "sv",
            "answers": answers,
            "history": list(answers),
            "safety": "none",
            "clinic": "demo",
            "revision": step,
            "furthest": 7,
            "return_to": "",
            "resume": "",
            "version": 1,
        }
    )


def intake(rng: random.Random) -> dict[str, object]:
    """A plausible completed intake, free text included about four times in five."""
    sample: dict[str, object] = {}
    for name, column in RECORD_COLUMNS.items():
        sample[name] = rng.choice(column.codes) if column.codes else None
    sample.update(flow_version=1, clinic=rng.choice(["north", "south", "demo"]))
    if rng.random() < 0.8:
        sample["free_text"] = " ".join(rng.sample(PHRASES, rng.randint(1, 5)))
    return sample


def answers_per_second(folder: Path, count: int) -> float:
    db = open_db(folder / "sessions.db")
    pseudonyms = [pseudonym_for(user, SECRET) for user in range(200)]
    started = time.perf_counter()
    for step in range(count):
        save_session(db, pseudonyms[step % len(pseudonyms)], conversation(step))
    elapsed = time.perf_counter() - started
    db.close()
    return count / elapsed


def baseline_per_second(folder: Path, count: int) -> float:
    conn = sqlite3.connect(folder / "baseline.db", isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "secure_delete = ON"):
        conn.execute(f"PRAGMA {pragma}")
    conn.execute(
        "CREATE TABLE sessions (pseudonym TEXT PRIMARY KEY NOT NULL, conversation TEXT NOT NULL,"
        " last_active_day TEXT NOT NULL) STRICT, WITHOUT ROWID"
    )
    pseudonyms = [pseudonym_for(user, SECRET) for user in range(200)]
    started = time.perf_counter()
    for step in range(count):
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO sessions VALUES (?, ?, ?) ON CONFLICT (pseudonym) DO UPDATE SET "
            "conversation = excluded.conversation, last_active_day = excluded.last_active_day",
            [pseudonyms[step % len(pseudonyms)], conversation(step), "2026-11-26"],
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


def intake_size(folder: Path, count: int) -> tuple[float, int, int]:
    """(intakes recorded per second, bytes per 10,000 intakes linked, and once unlinked)."""
    path = folder / "intakes.db"
    db = open_db(path)
    rng = random.Random(48)
    started = time.perf_counter()
    for user in range(count):
        record_intake(db, intake(rng), pseudonym=pseudonym_for(user, SECRET))
    elapsed = time.perf_counter() - started
    flush_wal(db)
    linked = path.stat().st_size
    purge(db, today=date.today() + timedelta(days=DEFAULT_LINK_DAYS))  # the links expire
    db.execute("VACUUM")
    flush_wal(db)  # in WAL mode the file shrinks only at the checkpoint
    unlinked = path.stat().st_size
    db.close()
    return count / elapsed, linked * 10_000 // count, unlinked * 10_000 // count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="folder for the scratch databases")
    parser.add_argument("--answers", type=int, default=3000, help="answers to commit")
    parser.add_argument("--intakes", type=int, default=10_000, help="intakes to record")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        folder = Path(scratch)
        ours = answers_per_second(folder, args.answers)
        bare = baseline_per_second(folder, args.answers)
        recorded, linked, unlinked = intake_size(folder, args.intakes)
    print(f"save_session, durable commits:     {ours:9,.0f} answers/s")
    print(f"bare sqlite3, same pragmas:        {bare:9,.0f} commits/s")
    print(f"ratio (storage / bare):            {ours / bare:9.2f}")
    print(f"record_intake (scrub + link):      {recorded:9,.0f} intakes/s")
    print(f"size per 10,000 intakes, linked:   {linked / 1_000_000:9.2f} MB")
    print(f"... after the links expire, VACUUM: {unlinked / 1_000_000:9.2f} MB")


if __name__ == "__main__":
    main()
