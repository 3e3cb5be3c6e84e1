"""The bot's one storage thread: SQLite never runs on the event loop.

One long-lived thread owns the intake service (its database connection, its engine and the
conversations it holds in memory); the event loop hands it whole steps, one call each, and
awaits the answer. A locked database (another program writing, a backup) or a slow disk then
delays only the steps that need it, while the loop goes on answering buttons and sending.

A statement waits only briefly for another connection's lock (`BUSY_TIMEOUT_MS`); a step that
still finds the database locked is tried again from the event loop after a pause, so the
thread is free for other work meanwhile. Measured against running the service on the loop's
own thread, one handoff per step costs less than a tenth of a tap's CPU (bench/bot.py).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

log = logging.getLogger("intake.bot")

T = TypeVar("T")

#: How long one statement waits for another connection's write lock.
BUSY_TIMEOUT_MS = 100
#: Pauses between tries of a step that found the database locked, and how long to keep trying.
RETRY_PAUSES = (0.05, 0.1, 0.2, 0.5, 1.0)
RETRY_FOR = 120.0


def locked(error: BaseException) -> bool:
    """Whether SQLite refused because another connection holds a lock (worth trying again)."""
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


class StorageThread:
    """One thread, one queue: everything that touches the database runs here, in order."""

    def __init__(self, retry_for: float = RETRY_FOR) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-storage")
        self.retry_for = retry_for
        self._locked_since: float | None = None

    async def run(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run ``call`` on the storage thread and wait for its result."""
        return await asyncio.wrap_future(self._executor.submit(call, *args, **kwargs))

    async def run_retrying(self, call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like `run`, trying again (off the thread) while another program holds a lock."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.retry_for
        attempt = 0
        while True:
            try:
                result = await self.run(call, *args, **kwargs)
            except sqlite3.OperationalError as error:
                if not locked(error) or loop.time() > deadline:
                    raise
                if self._locked_since is None:
                    self._locked_since = loop.time()
                    log.warning("the database is locked by another program; trying again")
                await asyncio.sleep(RETRY_PAUSES[min(attempt, len(RETRY_PAUSES) - 1)])
                attempt += 1
                continue
            if attempt and self._locked_since is not None:
                log.info(
                    "the database could be written again after %.1f s",
                    loop.time() - self._locked_since,
                )
                self._locked_since = None
            return result

    def post(self, call: Callable[..., object], /, *args: Any) -> None:
        """Run ``call`` on the storage thread without waiting (its errors are logged)."""
        self._executor.submit(call, *args).add_done_callback(_log_failure)

    def call(self, call: Callable[..., T], /, *args: Any) -> T:
        """Run ``call`` on the storage thread and block until it is done (start and stop only)."""
        return self._executor.submit(call, *args).result()

    def close(self) -> None:
        """Finish what was handed over, then end the thread."""
        self._executor.shutdown(wait=True)


def _log_failure(future: Any) -> None:
    error = future.exception()
    if error is not None:
        log.warning("a background storage task failed (%s)", type(error).__name__)
