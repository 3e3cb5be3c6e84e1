"""Coarse dates: ISO weeks and whole days only, never a time of day."""

from __future__ import annotations

import calendar
import re
from datetime import date

ISO_WEEK = re.compile(r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])")


def iso_week(day: date) -> str:
    """The ISO week of a day, e.g. ``2026-W48``; such strings sort in time order."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def check_week(week: str) -> str:
    """The week, or ValueError when it is not of the form ``2026-W48``."""
    if not ISO_WEEK.fullmatch(week):
        raise ValueError(f"not an ISO week like 2026-W48: {week!r}")
    return week


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if it is shorter)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
