"""Storage samples: a complete intake record, and the raw bytes SQLite keeps on disk."""

from __future__ import annotations

from pathlib import Path

STORAGE_SECRET = "test-secret-0123456789abcdef"

#: A complete intake record as the engine hands it over, with raw free text.
RECORD: dict[str, object] = {
    "flow_version": 1,
    "lang": "sv",
    "clinic": "demo",
    "outcome": "suggestion",
    "role": "mother",
    "age_band": "under_6m",
    "baby_reacts": "often",
    "baby_distress": "sometimes",
    "baby_withdrawn": "rarely",
    "sleep_feeding": "sleep",
    "wish_main": "understand",
    "wish_understand": "yes",
    "wish_advice": "maybe",
    "wish_alone": "no",
    "wellbeing": "strained",
    "safety_answer": "no",
    "baby_judgement": "affected",
    "parent_judgement": "understand",
    "suggestion": "mip",
    "safety_level": "none",
    "free_text": "Hon sover dåligt.",
}


def record(**changes: object) -> dict[str, object]:
    """The sample record with some fields changed."""
    return {**RECORD, **changes}


def raw_bytes(db_file: Path) -> bytes:
    """Everything SQLite keeps on disk for a database: the file, its WAL and shared memory."""
    return b"".join(
        path.read_bytes()
        for path in (db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm"))
        if path.exists()
    )
