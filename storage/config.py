"""How long data is kept, by default; the values themselves come from the caller.

Storage reads no environment: the `intake` commands read their settings (bot/settings.py) and
hand storage what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SESSION_IDLE_DAYS = 30
DEFAULT_LINK_DAYS = 30
DEFAULT_INTAKE_MONTHS = 24


@dataclass(frozen=True, slots=True)
class RetentionSettings:
    """How long data is kept; field names match `purge`'s keywords (``purge(db, **asdict(s))``)."""

    session_idle_days: int = DEFAULT_SESSION_IDLE_DAYS
    link_days: int = DEFAULT_LINK_DAYS
    intake_months: int = DEFAULT_INTAKE_MONTHS
