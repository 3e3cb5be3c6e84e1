"""Storage for the intake assistant: sessions, anonymised intakes, erasure and retention.

A small module of functions over a `sqlite_utils.Database`. It imports neither `bot` nor
`telegram` (nor `flows`): the conversation it stores is an opaque JSON string.
"""

from storage.config import RetentionSettings
from storage.db import open_db
from storage.intakes import check_record, count_progress, record_intake
from storage.outbox import (
    Pending,
    count_outbox,
    delete_outbox,
    load_outbox,
    outbox_pseudonyms,
    save_outbox,
)
from storage.pseudonyms import (
    SecretError,
    check_secret,
    key_fingerprint,
    local_secret,
    pseudonym_for,
)
from storage.retention import Erasure, PurgeReport, erase, flush_wal, purge
from storage.rotation import KeysInUse, keys_in_use, move_pseudonym, stamp_keys
from storage.scrub import PLACEHOLDERS, scrub
from storage.sessions import delete_session, load_session, save_session
from storage.staff import ProgressCount, intake_rows, progress_counts
from storage.transaction import transaction

__all__ = [
    "PLACEHOLDERS",
    "Erasure",
    "KeysInUse",
    "Pending",
    "ProgressCount",
    "PurgeReport",
    "RetentionSettings",
    "SecretError",
    "check_record",
    "check_secret",
    "count_outbox",
    "count_progress",
    "delete_outbox",
    "delete_session",
    "erase",
    "flush_wal",
    "intake_rows",
    "key_fingerprint",
    "keys_in_use",
    "load_outbox",
    "load_session",
    "local_secret",
    "move_pseudonym",
    "open_db",
    "outbox_pseudonyms",
    "progress_counts",
    "pseudonym_for",
    "purge",
    "record_intake",
    "save_outbox",
    "save_session",
    "scrub",
    "stamp_keys",
    "transaction",
]
