"""The real bot, started over the fake Bot API: in process, or as `intake bot` over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import storage
from flows.model import Conversation
from tests.support.fake_api import SECRET, TOKEN, FakeBotApi
from tests.support.http_api import BotApiServer, over_http
from tests.support.parent import Parent
from tests.support.scripts import Line, player
from tests.support.transport import FakeRequest, in_process

#: The Telegram id the running bot treats as staff.
STAFF_ID = 42


@dataclass
class BotHarness:
    """The real application over a fake Bot API, in process; its parents and its database."""

    api: FakeBotApi
    app: Any
    db_path: Path

    def parent(self, **details: Any) -> Parent:
        return Parent(self.api, in_process(self.app), **details)

    @property
    def intake_bot(self) -> Any:
        return self.app.bot_data["intake"]

    def saved(self, parent: Parent) -> Conversation | None:
        """The parent's saved conversation (None if there is none)."""
        service = self.intake_bot.service
        raw = storage.load_session(service.db, service.pseudonym(parent.user_id))
        return None if raw is None else Conversation.from_json(raw)

    def conversation(self, parent: Parent) -> Conversation:
        """The parent's conversation wherever it lives: in memory (before consent, once ended)
        or saved."""
        service = self.intake_bot.service
        found: Conversation = service.conversation(service.pseudonym(parent.user_id))
        return found

    def intakes(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = storage.intake_rows(self.intake_bot.service.db)
        return rows


def bot_env(db_path: Path, staff: Sequence[int] = (), **extra: str) -> dict[str, str]:
    """The environment of a bot that talks to the fake API (no throttling: nothing is real)."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "INTAKE_SECRET": SECRET,
        "INTAKE_DB": str(db_path),
        "STAFF_USER_IDS": ",".join(str(i) for i in staff),
        "TELEGRAM_RATE_LIMIT": "0",
        **extra,
    }


@contextlib.asynccontextmanager
async def start_bot(
    tmp_path: Path, staff: Sequence[int] = (), **env: str
) -> AsyncIterator[BotHarness]:
    """The bot built as `intake bot` builds it, started as run_polling starts it, minus polling."""
    from bot.settings import Settings
    from bot.tg_app import build_application

    api = FakeBotApi()
    db_path = tmp_path / "intake.db"
    app = build_application(Settings.from_env(bot_env(db_path, staff, **env)), FakeRequest(api))
    async with app:
        await app.post_init(app)
        await app.start()
        try:
            yield BotHarness(api, app, db_path)
        finally:
            await app.stop()
    await app.post_shutdown(app)


@dataclass
class BotProcess:
    """The real `intake bot`, a subprocess, with its output captured to a file."""

    process: asyncio.subprocess.Process
    log: Path

    async def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        """Stop the bot as a service manager would (SIGTERM), or kill it (SIGKILL)."""
        if self.process.returncode is None:
            self.process.send_signal(how)
        async with asyncio.timeout(20):
            return await self.process.wait()


@contextlib.asynccontextmanager
async def bot_process(
    server: BotApiServer,
    workdir: Path,
    *,
    args: Sequence[str] = (),
    env: dict[str, str] | None = None,
    name: str = "bot",
) -> AsyncIterator[BotProcess]:
    """Start `intake bot` against the server and wait until it polls (or serves its webhook).

    It runs in ``workdir`` so that no developer's own `.env` is read.
    """
    log = workdir / f"{name}.log"
    settings = bot_env(workdir / "intake.db", TELEGRAM_API_BASE_URL=server.base_url)
    started = len(server.requests)
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "bot",
            *args,
            cwd=workdir,
            env={**os.environ, **settings, **(env or {})},
            stdout=output,
            stderr=output,
        )
    bot = BotProcess(process, log)
    ready = "setWebhook" if "--webhook" in args else "getUpdates"
    try:
        await server.wait(lambda: ready in server.requests[started:], 30)
        yield bot
    finally:
        await bot.stop()


def parents_over_http(server: BotApiServer, count: int, **details: Any) -> list[Parent]:
    return [Parent(server.api, over_http(server), **details) for _ in range(count)]


#: The notes a tap's answer may carry into the tapped message with the next question: they
#: belong to the answer just given. Every other text must come as a new message and stay.
PASSING_NOTES = {"safe_check.thanks", "language.changed", "restarted", "research.fathers"}
#: The screens whose message is drawn over by the next question once answered; the welcome,
#: consent, summary and final screens stay in the chat as they were.
DRAWN_OVER = {"question", "free_text", "change", "choice", "hold"}


async def play_beside_the_engine(
    harness: BotHarness, parent: Parent, script: list[Line], lang: str
) -> None:
    """Play a script through the pure engine and the bot side by side: the bot must show
    exactly what the engine said, as Telegram messages, line by line.

    A tap on a question is answered in the tapped message itself: it becomes "✓ answer" and
    the next question, when nothing but a passing note comes with it. Otherwise the tapped
    message keeps its text with the answer under it, and the replies come as new messages.
    """
    from bot.tg_messages import messages_for
    from flows.screens import BACK, SCREENS

    engine = player(lang, harness.intake_bot.service.engine)
    for number, (what, key, state) in enumerate(script, 1):
        line = f"line {number} {what!r}"
        tapped = parent.keyboard_message() if what.startswith("tap:") else None
        step = engine.send(what)
        if tapped is None:
            new = await parent.send(what)
        else:
            new = await parent.tap_code(what.removeprefix("tap:"))
        expected = [m.text for m in messages_for(step.replies, step.conversation.revision)]
        if tapped is None:
            assert [m["text"] for m in new] == expected, line
        else:
            code = what.removeprefix("tap:")
            button = next(
                b
                for r in tapped["reply_markup"]["inline_keyboard"]
                for b in r
                if b["callback_data"].rpartition("|")[2] == code
            )
            label = button["text"].removeprefix("✓ ")
            question = button["callback_data"].split("|")[1]
            notes = [r.key for r in step.replies if not r.options]
            drawn = (
                SCREENS[question].kind in DRAWN_OVER
                and len(expected) == 1
                and set(notes) <= PASSING_NOTES
                and "stale" not in notes
            )
            if drawn:
                answered = "" if code == BACK else f"✓ {label}\n\n"
                assert [m["message_id"] for m in new] == [tapped["message_id"]], line
                assert new[0]["text"] == answered + expected[0], line
            else:
                others = [m for m in new if m["message_id"] != tapped["message_id"]]
                assert [m["text"] for m in others] == expected, line
                now = next(
                    m
                    for m in parent.api.bot_messages(parent.chat_id)
                    if m["message_id"] == tapped["message_id"]
                )
                assert now["text"] in (tapped["text"], f"{tapped['text']}\n\n✓ {label}"), line
                assert "reply_markup" not in now, line
        if key is not None:
            assert key in [r.key for r in step.replies], line
        if state is not None:
            assert harness.conversation(parent).state == state, line
