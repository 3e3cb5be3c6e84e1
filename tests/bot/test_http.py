"""The bot's own HTTP client for the Bot API (bot/tg_http.py, issue 14): the same calls and
the same errors as python-telegram-bot's httpx client, for less CPU; a proxy from the
environment still works (through httpx)."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.settings import Settings, proxy_for
from bot.tg_app import build_application
from bot.tg_http import CoreRequest
from bot.tg_runtime import not_reached
from tests.support import BotApiServer, bot_env
from tests.support.fake_api import TOKEN


def data(**values: Any) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in values.items()])


async def test_a_call_reaches_the_bot_api_as_httpx_would_send_it(server: BotApiServer) -> None:
    request = CoreRequest(2)
    await request.initialize()
    try:
        status, body = await request.do_request(f"{server.base_url}{TOKEN}/getMe", "POST")
        assert status == 200
        assert json.loads(body)["result"]["is_bot"] is True
        server.api.chats[42] = {"id": 42, "type": "private", "first_name": "Å"}
        text = "Hej & välkommen 💛 <b>x</b>\n“citat” ?=&%"
        markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "1|q|yes"}]]}
        status, body = await request.do_request(
            f"{server.base_url}{TOKEN}/sendmessage",
            "POST",
            data(chat_id=42, text=text, reply_markup=markup),
        )
        assert status == 200
        sent = json.loads(body)["result"]
        assert sent["text"] == text  # every character arrives as it was
        assert sent["reply_markup"] == markup
    finally:
        await request.shutdown()


async def test_no_connection_is_a_network_error_that_provably_sent_nothing() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once it is closed
    request = CoreRequest()
    with pytest.raises(NetworkError) as raised:
        await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    assert not isinstance(raised.value, TimedOut)
    assert not_reached(raised.value)  # so even a message may be sent again
    await request.shutdown()


async def test_a_slow_answer_is_a_timeout_that_proves_nothing() -> None:
    answered = asyncio.Event()
    writers: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        await reader.read(1000)
        await answered.wait()  # never answers while the call waits

    listening = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    request = CoreRequest(read_timeout=0.2)
    try:
        with pytest.raises(TimedOut) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", "POST")
        assert not not_reached(raised.value)  # it may have arrived: a message is not resent
    finally:
        answered.set()
        await request.shutdown()
        for writer in writers:
            writer.close()
            await writer.wait_closed()
        listening.close()
        await listening.wait_closed()


async def test_waiting_for_a_free_connection_too_long_sends_nothing(server: BotApiServer) -> None:
    request = CoreRequest(1, pool_timeout=0.1)
    held = asyncio.ensure_future(
        request.do_request(f"{server.base_url}{TOKEN}/getUpdates", "POST", data(timeout=1))
    )
    await asyncio.sleep(0.1)  # the one connection is held by a long poll
    try:
        with pytest.raises(TimedOut) as raised:
            await request.do_request(f"{server.base_url}{TOKEN}/getMe", "POST")
        assert not_reached(raised.value)
    finally:
        await held
        await request.shutdown()


async def test_a_file_is_refused_plainly() -> None:
    from telegram import InputFile

    request = CoreRequest()
    upload = data(document=InputFile(b"x", filename="x.txt", attach=True))
    with pytest.raises(NetworkError, match="no files"):
        await request.do_request("http://127.0.0.1:9/bot/sendDocument", "POST", upload)


API = "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    ("env", "url", "expected"),
    [
        ({}, API, None),
        ({"HTTPS_PROXY": "http://proxy:3128"}, API, "http://proxy:3128"),
        ({"https_proxy": "http://p:1"}, API, "http://p:1"),
        ({"HTTP_PROXY": "http://p:1"}, API, None),
        ({"HTTP_PROXY": "http://p:1"}, "http://localhost:8081/bot", "http://p:1"),
        ({"ALL_PROXY": "socks5://p:1"}, API, "socks5://p:1"),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "telegram.org"},
            API,
            None,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, API, None),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.org"},
            API,
            "http://p:1",
        ),
    ],
)
def test_the_proxy_comes_from_the_usual_variables(
    env: dict[str, str], url: str, expected: str | None
) -> None:
    assert proxy_for(url, env) == expected


@pytest.mark.parametrize("proxied", [False, True])
def test_the_bot_uses_its_lean_client_unless_a_proxy_is_set(tmp_path: Path, proxied: bool) -> None:
    env = bot_env(tmp_path / "intake.db")
    if proxied:
        env["HTTPS_PROXY"] = "http://proxy.clinic.example:3128"
    settings = Settings.from_env(env)
    app = build_application(settings)
    try:
        kind = HTTPXRequest if proxied else CoreRequest
        assert isinstance(app.bot.request, kind)
    finally:
        app.bot_data["intake"].storage.close()
