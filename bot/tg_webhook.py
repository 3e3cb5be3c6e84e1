"""The webhook's own small server: the secret is checked before a byte of the body is read.

python-telegram-bot's webhook server reads a whole request body before it looks at the secret
header, so anyone who can reach the port can make the bot hold any amount of memory. Here a
tornado handler streams the body (`stream_request_body`): its `prepare` sees only the headers
and refuses a request without the right secret, or one announcing more than `BODY_LIMIT`
bytes, before the body is read (tornado then closes the connection instead of reading on);
a body that grows past the limit while it streams is refused too. An accepted update goes
onto the application's update queue, as python-telegram-bot's own server does.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.web import Application as TornadoApplication
from tornado.web import RequestHandler, stream_request_body

log = logging.getLogger("intake.bot")

#: Telegram's updates are a few kilobytes; nothing a parent can send comes near this.
BODY_LIMIT = 1024 * 1024
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


@stream_request_body
class UpdateHandler(RequestHandler):
    """Takes one update per POST, only with the secret, only up to `BODY_LIMIT` bytes."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: Application[Any, Any, Any, Any, Any, Any], secret: str) -> None:
        self.app = app
        self.secret = secret
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        """Refuse on the headers alone: no secret, a wrong one, or a body too large."""
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.info("a webhook request without the right secret was refused")
            self.refuse(HTTPStatus.FORBIDDEN)
            return
        length = self.request.headers.get("Content-Length", "")
        if length.isascii() and length.isdigit() and int(length) > BODY_LIMIT:
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self.size += len(chunk)
        if self.size > BODY_LIMIT:
            self.chunks.clear()
            self.refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        if self._finished:
            return
        try:
            data = json.loads(b"".join(self.chunks))
            update = Update.de_json(data, self.app.bot)
        except (ValueError, TypeError, KeyError):
            log.info("a webhook request that is not an update was refused")
            self.refuse(HTTPStatus.BAD_REQUEST)
            return
        finally:
            self.chunks.clear()
        if update is not None:
            await self.app.update_queue.put(update)
        self.set_status(HTTPStatus.OK)
        self.finish()

    def refuse(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.finish()

    def log_exception(self, *args: Any) -> None:
        """Tornado would log the request with a traceback; a status is all that is said."""


def webhook_server(
    app: Application[Any, Any, Any, Any, Any, Any], path: str, secret: str
) -> HTTPServer:
    """The HTTP server for the webhook at ``path`` (not yet listening)."""
    routes = [(f"/{path.lstrip('/')}", UpdateHandler, {"app": app, "secret": secret})]
    web = TornadoApplication(routes)  # type: ignore[arg-type]
    # Tornado refuses a declared body over the limit by itself, without reading it.
    return HTTPServer(web, max_body_size=BODY_LIMIT, max_buffer_size=BODY_LIMIT)
