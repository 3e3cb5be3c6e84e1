"""The bot's HTTP client for the Bot API: python-telegram-bot's request interface on httpcore.

python-telegram-bot's own `HTTPXRequest` goes through httpx's client, which on every call
builds a URL from a string, a cookie jar's header (through a urllib request it makes for the
purpose), authentication and redirect handling, event hooks and a response object: about two
fifths of the CPU of a Bot API call, for features a bot that talks to one host never uses
(issue 14, bench/bot.py). httpcore, the connection pool beneath httpx (installed with it), does
the HTTP: keep-alive connections, TLS, timeouts. This class hands it each call as httpx would
have sent it (a form-encoded POST, python-telegram-bot's User-Agent) and maps its errors to
python-telegram-bot's as `HTTPXRequest` does, so the rest of the stack (the rate limiter, the
retries, `tg_runtime.not_reached`) sees no difference. The bot sends no files: a call with one
is refused, plainly.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import httpcore
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

#: python-telegram-bot's defaults for its HTTPXRequest, in seconds.
CONNECT, READ, WRITE, POOL = 5.0, 5.0, 5.0, 1.0
#: What python-telegram-bot passes for "no timeout given for this call": use the default.
_DEFAULT = type(BaseRequest.DEFAULT_NONE)


class CoreRequest(BaseRequest):
    """Bot API calls over a pool of ``connections`` keep-alive connections (httpcore)."""

    __slots__ = ("_defaults", "_pool", "_user_agent")

    def __init__(
        self,
        connections: int = 1,
        *,
        connect_timeout: float = CONNECT,
        read_timeout: float = READ,
        write_timeout: float = WRITE,
        pool_timeout: float = POOL,
    ) -> None:
        self._defaults = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        self._pool = httpcore.AsyncConnectionPool(max_connections=connections, http1=True)
        self._user_agent = self.USER_AGENT.encode()

    @property
    def read_timeout(self) -> float | None:
        return self._defaults["read"]

    async def initialize(self) -> None:
        """Connections are made as calls need them."""

    async def shutdown(self) -> None:
        await self._pool.aclose()

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
        if request_data is not None and request_data.contains_files:
            raise NetworkError("the intake bot sends no files: this call carries one")
        given = {
            "connect": connect_timeout,
            "read": read_timeout,
            "write": write_timeout,
            "pool": pool_timeout,
        }
        timeouts = {
            name: self._defaults[name] if isinstance(value, _DEFAULT) else value
            for name, value in given.items()
        }
        body = urlencode(request_data.json_parameters).encode() if request_data else b""
        headers = [
            (b"Host", urlsplit(url).netloc.encode()),
            (b"User-Agent", self._user_agent),
            (b"Content-Type", b"application/x-www-form-urlencoded"),
            (b"Content-Length", str(len(body)).encode()),
        ]
        try:
            response = await self._pool.request(
                method, url, headers=headers, content=body, extensions={"timeout": timeouts}
            )
        except httpcore.PoolTimeout as error:
            raise TimedOut(
                "Pool timeout: all connections to the Bot API are busy; the call was not sent"
            ) from error
        except httpcore.TimeoutException as error:
            raise TimedOut from error
        except (
            httpcore.NetworkError,
            httpcore.ProtocolError,
            httpcore.ProxyError,
            httpcore.UnsupportedProtocol,
        ) as error:
            raise NetworkError(f"httpcore.{type(error).__name__}: {error}") from error
        return response.status, response.content
