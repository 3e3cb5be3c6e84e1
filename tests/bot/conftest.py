"""Fixtures of the bot's tests: the real application running over the fake Bot API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support import STAFF_ID, BotApiServer, BotHarness, start_bot


@pytest.fixture
async def running_bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """The bot built and started as `intake bot` does (minus polling), with one staff member."""
    async with start_bot(tmp_path, staff=[STAFF_ID]) as harness:
        yield harness


@pytest.fixture
async def server() -> AsyncIterator[BotApiServer]:
    """The fake Bot API over local HTTP, for a real `intake bot` (or client) to talk to."""
    running = BotApiServer()
    await running.start()
    yield running
    await running.close()


@pytest.fixture
async def harness(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> AsyncIterator[BotHarness]:
    """The bot without staff, its log captured down to its own DEBUG lines (one per update:
    they must name no one either), retrying network errors without waiting."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="intake")
    async with start_bot(tmp_path) as running:
        running.app.bot.rate_limiter.backoff = 0.01
        yield running
