"""Storage for the intake assistant: sessions, anonymised intakes, erasure and retention.

A small module of functions over a `sqlite_utils.Database`. It imports neither `bot` nor
`telegram` (nor `flows`): the conversation it stores is an opaque JSON string.
"""

from storage.config import ConfigError, RetentionSettings, database_path
from storage.db import open_db
from storage.intakes import check_record, count_progress, record_intake
from storage.pseudonyms import check_secret, local_secret, pseudonym_for
from storage.retention import Erasure, PurgeReport, erase, flush_wal, purge
from storage.scrub import PLACEHOLDERS, scrub
from storage.sessions import delete_session, load_session, save_session
from storage.staff import ProgressCount, intake_rows, progress_counts

__all__ = [
    "PLACEHOLDERS",
    "ConfigError",
    "Erasure",
    "ProgressCount",
    "PurgeReport",
    "RetentionSettings",
    "check_record",
    "check_secret",
    "count_progress",
    "database_path",
    "delete_session",
    "erase",
    "flush_wal",
    "intake_rows",
    "load_session",
    "local_secret",
    "open_db",
    "progress_counts",
    "pseudonym_for",
    "purge",
    "record_intake",
    "save_session",
    "scrub",
]
