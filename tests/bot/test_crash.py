"""Exactly once across SIGKILL: the real `intake bot` killed at every point of a step.

Parents tap or type (by the option's number, the most ambiguous way: "2" answers any
question) their way through an intake while the bot is killed with SIGKILL in the middle of
one of their steps: before the step is committed, after the commit but before the reply is
sent (or drawn into the tapped message), and after the reply reached the Bot API but before
the bot heard so. Each parent does
what a person does: answers the question on their screen, and when no answer comes, waits for
the bot to be back and answers again what they see. Then every stored intake must be exactly
what its parent chose, and no keyboard may have been sent twice for one revision (a question
asked twice).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flows.questions import QUESTION_KEYS
from tests.support import BotApiServer, Parent, bot_env, over_http, raw_bytes
from tests.support.scripts import BABY, PARENT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: (how the parent answers, where in their step the bot is killed, at which question)
PLANS = [
    ("tap", "before-commit", "baby_reacts"),
    ("tap", "after-commit", "baby_distress"),
    ("tap", "after-send", "sleep_feeding"),
    ("type", "before-commit", "wish_main"),
    ("type", "after-commit", "age_band"),
    ("type", "after-send", "baby_withdrawn"),
]
CELLS = [
    ("affected", "understand"),
    ("not_affected", "advice"),
    ("unclear", "mixed"),
    ("affected", "advice"),
    ("not_affected", "mixed"),
    ("unclear", "understand"),
]
AGES = ("under_6m", "6_12m", "1_2y", "2_3y", "under_6m", "6_12m")


def choices(cell: tuple[str, str], age: str) -> dict[str, str]:
    """What one parent answers to each question."""
    reacts, distress, withdrawn = BABY[cell[0]]
    main, alone = PARENT[cell[1]]
    return {
        "role": "mother",
        "age_band": age,
        "baby_reacts": reacts,
        "baby_distress": distress,
        "baby_withdrawn": withdrawn,
        "sleep_feeding": "sleep",
        "wish_main": main,
        "wish_alone": alone,
        "wellbeing": "mostly_ok",
        "safety": "no",
        "free_text": "skip",
    }


@dataclass
class Bot:
    """The bot under test: restarted whenever it was killed."""

    server: BotApiServer
    workdir: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    up: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self) -> None:
        env = {
            **os.environ,
            **bot_env(self.workdir / "intake.db", TELEGRAM_API_BASE_URL=self.server.base_url),
            "INTAKE_LOG_LEVEL": "DEBUG",  # the per-update lines must name no one either
        }
        self.starts += 1
        seen = len(self.server.requests)
        with (self.workdir / "bot.log").open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "bot", cwd=self.workdir, env=env,
                stdout=log, stderr=log,
            )  # fmt: skip
        await self.server.wait(lambda: "getUpdates" in self.server.requests[seen:], 30)
        self.up.set()

    def kill(self) -> None:
        """SIGKILL, now: nothing of the bot runs after this."""
        assert self.process is not None
        self.up.clear()
        os.kill(self.process.pid, signal.SIGKILL)

    async def keep_up(self) -> None:
        """Restart the bot whenever it dies, until cancelled."""
        while True:
            assert self.process is not None
            await self.process.wait()
            await self.start()


@dataclass
class Crash:
    """Kill the bot once, at ``point`` of the step that answers ``question`` in ``chat``."""

    chat: int
    point: str
    question: str
    armed: bool = False  # the parent is answering that question now
    done: bool = False


#: The calls that carry a step's reply: a new message, or the tapped one drawn into the next.
REPLIES = ("sendMessage", "editMessageText")


def arm_kills(server: BotApiServer, bot: Bot, crashes: list[Crash]) -> None:
    """Hook the Bot API server so that it kills the bot at each crash's point."""

    def before(method: str, params: dict[str, str]) -> str | None:
        chat = int(params.get("chat_id") or 0)
        for crash in crashes:
            if crash.done or not crash.armed or crash.chat != chat or method not in REPLIES:
                continue
            crash.done = True
            if crash.point == "after-commit":  # the step is stored; its reply never goes out
                bot.kill()
                return "drop"
            if crash.point == "after-send":  # the reply is in the chat; the bot never hears so
                if "reply_markup" not in params:
                    crash.done = False  # wait for the message with the question
                    continue
                bot.kill()
                return "late"
        return None

    def after(target: str, body: bytes) -> None:
        if not target.endswith("/getUpdates"):
            return
        updates = json.loads(body).get("result", [])
        for crash in crashes:
            if crash.done or not crash.armed or crash.point != "before-commit":
                continue
            if any(str(crash.chat) in json.dumps(update) for update in updates):
                crash.done = True  # the update has just been handed over: kill at once
                bot.kill()

    server.before, server.after = before, after


async def answer_everything(
    someone: Parent, plan: dict[str, str], typing: bool, bot: Bot, crash: Crash
) -> None:
    """Answer what is on screen until the intake is done; after no answer, try again."""
    for _ in range(80):
        message = someone.keyboard_message()
        buttons = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
        question = buttons[0]["callback_data"].split("|")[1]
        if question == "done":
            return
        code = {"welcome": "begin", "consent": "yes", "summary": "confirm"}.get(question)
        code = code or plan[question]
        crash.armed = question == crash.question
        before = len(someone.api.shown[someone.chat_id])
        if typing and question in QUESTION_KEYS and question != "free_text":
            codes = [b["callback_data"].rpartition("|")[2] for b in buttons]
            someone.api.user_message(someone.chat, someone.user, text=str(codes.index(code) + 1))
            someone.api.push("message", someone.api.messages[someone.chat_id][-1])
        else:
            data = next(b["callback_data"] for b in buttons if b["callback_data"].endswith(code))
            query = someone.api.callback_query(someone.user, message, data)
            someone.api.push("callback_query", query)
        if not await answered(someone, before, bot):
            await bot.up.wait()
            await asyncio.sleep(1.0)  # what a restarted bot answers by itself comes first
    raise AssertionError("the intake never ended")


async def answered(someone: Parent, before: int, bot: Bot) -> bool:
    """Whether a question came; False as soon as the bot is found dead."""
    for _ in range(400):
        if any(m.get("reply_markup") for m in someone.api.shown[someone.chat_id][before:]):
            return True
        if not bot.up.is_set():
            return False
        await asyncio.sleep(0.025)
    raise AssertionError("neither an answer nor a crash")


async def test_sigkill_at_every_point_of_a_step_loses_and_repeats_nothing(
    server: BotApiServer, tmp_path: Path
) -> None:
    parents = [
        Parent(server.api, over_http(server), username=f"crash_parent_{n}", first_name=f"Ylva{n}")
        for n in range(len(PLANS))
    ]
    plans = [choices(cell, age) for cell, age in zip(CELLS, AGES, strict=True)]
    crashes = [
        Crash(someone.chat_id, point, question)
        for someone, (_, point, question) in zip(parents, PLANS, strict=True)
    ]
    bot = Bot(server, tmp_path)
    arm_kills(server, bot, crashes)
    await bot.start()
    keeper = asyncio.ensure_future(bot.keep_up())
    try:
        # One parent, one crash at a time: a conversation before consent is held in memory
        # only (by design: nothing is stored before consent), so a restart then starts it anew.
        for someone, plan, (how, _, _), crash in zip(parents, plans, PLANS, crashes, strict=True):
            await someone.send("/start")
            await answer_everything(someone, plan, how == "type", bot, crash)
            assert crash.done, f"{crash.point} never happened"
    finally:
        keeper.cancel()
        if bot.process is not None and bot.process.returncode is None:
            bot.process.send_signal(signal.SIGTERM)
            await bot.process.wait()
    assert bot.starts == 1 + len(PLANS)

    stored = intakes(tmp_path / "intake.db")
    expected = sorted(tuple(plan[key] for key in QUESTION_KEYS) for plan in plans)
    assert sorted(stored) == expected, "an intake differs from what its parent chose"
    for someone in parents:
        revisions = keyboard_revisions(server.api.shown[someone.chat_id])
        assert len(revisions) == len(set(revisions)), f"a question was sent twice: {revisions}"
    on_disk = raw_bytes(tmp_path / "intake.db")
    logs = (tmp_path / "bot.log").read_text("utf-8")
    for someone in parents:
        for identifier in someone.identifiers:
            assert identifier.encode() not in on_disk
            assert identifier not in logs


def intakes(db: Path) -> list[tuple[str, ...]]:
    columns = ", ".join(QUESTION_KEYS).replace("safety", "safety_answer")
    columns = columns.replace("free_text", "coalesce(free_text, 'skip')")
    with sqlite3.connect(db) as connection:
        return [tuple(row) for row in connection.execute(f"SELECT {columns} FROM intakes")]


def keyboard_revisions(sent: list[dict[str, Any]]) -> list[int]:
    """The revision each keyboard sent to a chat was drawn for."""
    return [
        int(message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[0])
        for message in sent
        if message.get("reply_markup")
    ]
