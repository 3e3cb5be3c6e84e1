"""Storage settings from the environment: where the database lives and how long data is kept."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DB_PATH = "data/intake.db"

DEFAULT_SESSION_IDLE_DAYS = 30
DEFAULT_LINK_DAYS = 30
DEFAULT_INTAKE_MONTHS = 24


class ConfigError(Exception):
    """The configuration is missing something or malformed; the message says what to do."""


def database_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The database file: ``path`` if given, else ``INTAKE_DB``, else ``data/intake.db``."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get("INTAKE_DB") or DEFAULT_DB_PATH)


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long data is kept; field names match `purge`'s keywords (``purge(db, **asdict(s))``)."""

    session_idle_days: int = DEFAULT_SESSION_IDLE_DAYS
    link_days: int = DEFAULT_LINK_DAYS
    intake_months: int = DEFAULT_INTAKE_MONTHS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionSettings:
        """Read ``INTAKE_SESSION_IDLE_DAYS``, ``INTAKE_LINK_DAYS``, ``INTAKE_RETENTION_MONTHS``."""
        env = os.environ if environ is None else environ
        return cls(
            session_idle_days=_count(env, "INTAKE_SESSION_IDLE_DAYS", DEFAULT_SESSION_IDLE_DAYS),
            link_days=_count(env, "INTAKE_LINK_DAYS", DEFAULT_LINK_DAYS),
            intake_months=_count(env, "INTAKE_RETENTION_MONTHS", DEFAULT_INTAKE_MONTHS),
        )


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number of at least 0, not {raw!r}.")
    return int(raw)
