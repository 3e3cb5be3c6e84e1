"""A small local HTTP server playing the Bot API, for the real `intake bot` to talk to.

The server speaks just enough HTTP/1.1 (keep-alive, form bodies, long-polled getUpdates)
for python-telegram-bot's httpx client; every answer comes from `FakeBotApi`. A broken
connection (a "network" fault) is a connection closed without an answer. The bench uses it
too, so it is written to stay out of the way at thousands of requests a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.support.fake_api import DroppedConnectionError, FakeBotApi, LateAnswerError
from tests.support.transport import Deliver

PATH = re.compile(r"/bot([^/]+)/([A-Za-z]+)")
REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    502: "Bad Gateway",
}


class BotApiServer:
    """The fake Bot API over HTTP on 127.0.0.1, on a free port."""

    def __init__(self, api: FakeBotApi | None = None) -> None:
        self.api = api or FakeBotApi()
        self.api.on_change = self._changed
        self._event = asyncio.Event()
        self._chat_events: dict[int, asyncio.Event] = {}
        self._server: asyncio.Server | None = None
        self.port = 0
        self.requests: list[str] = []  # methods in the order their requests arrived
        #: Sees each call before it is carried out: "drop" closes the connection without
        #: carrying it out, "late" after carrying it out (a test may stop the bot meanwhile).
        self.before: Callable[[str, dict[str, str]], str | None] | None = None
        #: Sees each answer once it is on its way (a test may stop the bot then).
        self.after: Callable[[str, bytes], None] | None = None

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to for a bot that should talk to this server."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    def _changed(self, chat_id: int | None = None) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()
        chat_event = self._chat_events.pop(chat_id, None) if chat_id is not None else None
        if chat_event is not None:
            chat_event.set()

    async def wait(
        self, ready: Callable[[], bool], seconds: float = 30.0, chat_id: int | None = None
    ) -> None:
        """Until ``ready()`` holds, checked whenever the API changes (or that chat does)."""
        async with asyncio.timeout(seconds):
            while not ready():
                if chat_id is None:
                    await self._event.wait()
                else:
                    await self._chat_events.setdefault(chat_id, asyncio.Event()).wait()

    # ---- HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await self._read_request(reader):
                answer = await self._answer(*request)
                if answer is None:
                    break  # a network fault: drop the connection without a word
                status, body = answer
                kind = "text/html" if body.startswith(b"<") else "application/json"
                head = (
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
                )
                writer.write(head.encode() + body)
                await writer.drain()
                if self.after is not None:
                    self.after(request[0], body)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # the server is closing: a held getUpdates simply ends
        finally:
            writer.close()

    @staticmethod
    async def _read_request(reader: asyncio.StreamReader) -> tuple[str, bytes] | None:
        line = await reader.readline()
        if not line.strip():
            return None
        target = line.split(b" ")[1].decode()
        length = 0
        while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = header.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return target, await reader.readexactly(length)

    async def _answer(self, target: str, body: bytes) -> tuple[int, bytes] | None:
        url = urlsplit(target)
        match = PATH.fullmatch(url.path)
        if match is None or match.group(1) != self.api.token:
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        method = self.api.canonical(match.group(2))
        self.requests.append(method)
        self._changed()
        params = dict(parse_qsl(url.query)) | dict(parse_qsl(body.decode(), keep_blank_values=True))
        if method == "getUpdates":
            await self._long_poll(params)
        action = self.before(method, params) if self.before is not None else None
        if action == "drop":
            return None
        if action == "late":
            self.api.fail(method, "late")
        try:
            status, answer = self.api.handle(method, params)
        except (DroppedConnectionError, LateAnswerError):
            return None  # no answer: the connection is closed (after the call, when late)
        if isinstance(answer, bytes):
            return status, answer
        return status, json.dumps(answer, ensure_ascii=False).encode()

    async def _long_poll(self, params: dict[str, str]) -> None:
        """Hold getUpdates until there is an update at or after its offset, or its timeout."""
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self.api.confirm(offset)  # as Telegram does, when the request comes, not when it ends

        def pending() -> bool:
            return any(update["update_id"] >= offset for update in self.api.updates)

        with contextlib.suppress(TimeoutError):
            await self.wait(pending, timeout)


def over_http(server: BotApiServer, timeout: float = 30.0) -> Deliver:
    """Deliver updates by queueing them for getUpdates; wait until the bot has answered.

    ``until`` sees what the chat was shown since, as it was shown (`FakeBotApi.shown`): new
    messages and messages edited into a new text; a keyboard cleared since still counts.
    """

    async def deliver(update: dict[str, Any], chat_id: int, until: Callable[..., bool]) -> None:
        before = len(server.api.shown[chat_id])
        await server.wait(lambda: until(server.api.shown[chat_id][before:]), timeout, chat_id)

    return deliver
