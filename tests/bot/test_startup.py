"""Start-up: a Bot API that is not there yet, or answers nonsense, is waited out; only a token
it refuses stops the bot, with one line and exit code 2."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.tg_app import build_application
from tests.bot.test_e2e import free_port
from tests.bot.test_settings import run_bot
from tests.support import TOKEN, BotApiServer, FakeBotApi, FakeRequest, bot_env


async def test_429_html_and_cut_short_json_at_start_are_waited_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    api = FakeBotApi()
    api.fail("getMe", "html", 429, "garbage", 503)
    settings = Settings.from_env(bot_env(tmp_path / "intake.db"))
    app = build_application(settings, FakeRequest(api))
    app.start_pauses = (0.01,)
    app.bot.rate_limiter.backoff = 0.01
    async with app:  # initialize: retried until the Bot API answers as it should
        await app.post_init(app)
    await app.post_shutdown(app)
    tries = [r.getMessage() for r in caplog.records if waited(r.getMessage())]
    assert len(tries) >= 3  # one line each (the rate limiter itself waits out the 429)
    assert all("\n" not in line for line in tries)
    assert any("Invalid server response" in line for line in tries)
    assert api.methods().count("getMe") >= 4
    assert TOKEN not in caplog.text


def waited(line: str) -> bool:
    """A log line saying a call at start failed and is tried again."""
    return "cannot be used yet" in line or "failed on the network" in line


@pytest.mark.e2e
async def test_an_unreachable_bot_api_at_boot_is_waited_for(tmp_path: Path) -> None:
    port = free_port()
    env = bot_env(tmp_path / "intake.db", TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "INTAKE_"))}
    log = tmp_path / "bot.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "bot", cwd=tmp_path, env={**clean, **env},
            stdout=output, stderr=output,
        )  # fmt: skip
    server = BotApiServer()
    try:
        await asyncio.sleep(1.5)
        assert process.returncode is None  # still there, waiting
        await server.start(port)  # the network is back
        await server.wait(lambda: "getUpdates" in server.requests, 30)
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await server.close()
    output = log.read_text("utf-8")
    assert "Traceback" not in output
    waits = [line for line in output.splitlines() if waited(line)]
    assert waits
    assert all("NetworkError" in line for line in waits)
    assert TOKEN.split(":")[1] not in output


@pytest.mark.e2e
async def test_only_a_refused_token_stops_the_bot(tmp_path: Path) -> None:
    server = BotApiServer()
    await server.start()
    try:
        other = TOKEN.replace("AAH", "BBH")  # well formed, but not this Bot API's
        env = bot_env(tmp_path / "intake.db", TELEGRAM_API_BASE_URL=server.base_url)
        result = await asyncio.to_thread(run_bot, tmp_path, {**env, "TELEGRAM_BOT_TOKEN": other})
    finally:
        await server.close()
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "intake bot: TELEGRAM_BOT_TOKEN was refused by the Bot API: copy it again from @BotFather."
    ]


async def test_a_rotated_key_is_reported_at_start_and_parents_go_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.support import intake_script, start_bot

    caplog.set_level(logging.INFO)
    old, new = "old-secret-0123456789abcdef", "new-secret-0123456789abcdef"
    async with start_bot(tmp_path, INTAKE_SECRET=old) as running:
        parent = running.parent()
        await parent.play(intake_script()[:5])
    async with start_bot(tmp_path, INTAKE_SECRET=new, INTAKE_SECRET_PREVIOUS=old) as running:
        assert (
            "1 unfinished conversation(s) and 0 link(s) still use the previous key" in caplog.text
        )
        parent.api, parent.deliver = running.api, running.parent().deliver
        running.api.chats[parent.chat_id] = parent.chat
        running.api.messages[parent.chat_id] = []
        await parent.send("/start")
        await parent.play(intake_script()[5:])
        assert running.intakes()[0]["age_band"] == "6_12m"  # answered under the old key
    for secret in (old, new):
        assert secret not in caplog.text
