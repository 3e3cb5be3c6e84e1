"""In-process transport: python-telegram-bot's network replaced by the fake Bot API."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.support.fake_api import DroppedConnectionError, FakeBotApi, LateAnswerError


class FakeRequest(BaseRequest):
    """python-telegram-bot's network replaced by the fake Bot API, in process."""

    def __init__(self, api: FakeBotApi, latency: float = 0.0) -> None:
        self.api = api
        self.latency = latency  # seconds each call takes, as over a real network

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        prefix, _, endpoint = url.rpartition("/")
        if not prefix.endswith(f"/bot{self.api.token}"):
            return 401, b'{"ok": false, "error_code": 401, "description": "Unauthorized"}'
        params = request_data.json_parameters if request_data else {}
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            status, body = self.api.handle(endpoint, params)
        except DroppedConnectionError:
            # As python-telegram-bot words it: the connection could not be made.
            error = httpx.ConnectError("connection refused (fake)")
            raise NetworkError(f"httpx.ConnectError: {error}") from error
        except LateAnswerError:
            raise TimedOut() from httpx.ReadTimeout("read timed out (fake)")
        return status, body if isinstance(body, bytes) else json.dumps(body).encode()


#: How an update reaches the bot and how long to wait for its answer: the transport's job.
#: It gets the update, the chat, and a test of the bot's new messages saying "answered".
Deliver = Callable[[dict[str, Any], int, Callable[[list[dict[str, Any]]], bool]], Awaitable[None]]


def in_process(app: Any) -> Deliver:
    """Deliver updates straight to an application, through its per-parent update processor."""

    async def deliver(update: dict[str, Any], chat_id: int, until: Callable[..., bool]) -> None:
        app_update = Update.de_json(update, app.bot)
        await app.update_processor.process_update(app_update, app.process_update(app_update))

    return deliver
