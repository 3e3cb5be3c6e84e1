"""When things go wrong: blocked bots, flood control, the network, a broken database, logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, NoReturn

import pytest
from telegram.ext import AIORateLimiter

from flows.texts import render
from tests.support import TOKEN, BotHarness, Parent, intake_script, start_bot


def assert_no_identifiers(text: str, *parents: Parent) -> None:
    for parent in parents:
        for identifier in parent.identifiers:
            assert identifier not in text, f"{identifier!r} was logged"
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text


async def test_a_parent_who_blocked_the_bot_is_handled_quietly(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent()
    await parent.send("/start")
    harness.api.blocked.add(parent.chat_id)
    await parent.tap("Let's begin")
    assert len(parent.texts) == 1  # nothing got through, and no apology was tried
    assert harness.api.methods()[-2:] == ["answerCallbackQuery", "sendMessage"]
    assert "the bot was blocked" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert_no_identifiers(caplog.text, parent)


async def test_flood_control_is_waited_out_and_retried(harness: BotHarness) -> None:
    parent = harness.parent()
    harness.api.fail("sendMessage", 429)
    await parent.send("/start")
    assert parent.last_text.startswith("Hello, and welcome")
    assert harness.api.methods().count("sendMessage") == 2


async def test_without_a_rate_a_call_goes_straight_out_and_waits_out_its_own_429(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def not_used(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("python-telegram-bot's rate limiter was used")

    monkeypatch.setattr(AIORateLimiter, "process_request", not_used)
    monkeypatch.setattr(AIORateLimiter, "_run_request", not_used)
    assert harness.app.bot.rate_limiter.throttle is None  # TELEGRAM_RATE_LIMIT=0
    parent = harness.parent()
    harness.api.fail("sendMessage", 429, "network")
    await parent.send("/start")
    assert parent.last_text.startswith("Hello, and welcome")
    assert harness.api.methods().count("sendMessage") == 3
    assert "sendMessage met flood control; retry 1 in 1.1 s" in caplog.text


async def test_with_a_rate_calls_go_through_python_telegram_bots_rate_limiter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    through: list[str] = []
    limit = AIORateLimiter.process_request

    async def counted(self: AIORateLimiter, *args: Any) -> Any:
        through.append(args[3])  # the endpoint
        return await limit(self, *args)

    monkeypatch.setattr(AIORateLimiter, "process_request", counted)
    async with start_bot(tmp_path, TELEGRAM_RATE_LIMIT="30") as running:
        await running.parent().send("/start")
    assert "sendmessage" in through  # the bot's own messages name it in lower case


async def test_network_errors_are_logged_and_retried(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent()
    harness.api.fail("sendMessage", "network", "network")
    await parent.send("/start")
    assert parent.last_text.startswith("Hello, and welcome")
    retries = [r.getMessage() for r in caplog.records if "failed on the network" in r.getMessage()]
    assert retries == [
        "sendMessage failed on the network (NetworkError); retry 1 in 0.0 s",
        "sendMessage failed on the network (NetworkError); retry 2 in 0.0 s",
    ]
    assert_no_identifiers(caplog.text, parent)


async def test_a_network_that_stays_down_is_logged_without_an_apology(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent()
    harness.api.fail("sendMessage", *["network"] * 4)
    await parent.send("/start")
    assert parent.texts == []
    assert "network error (NetworkError) on a message, after retries" in caplog.text
    await parent.send("/start")  # the next message gets through
    assert parent.last_text.startswith("Hello, and welcome")


async def test_an_unexpected_error_gets_an_apology_and_a_log_without_identifiers(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent(language_code="sv")
    await parent.play(intake_script()[:3])  # consent given: the conversation is on disk now
    db = harness.intake_bot.service.db
    db.execute("DROP TABLE sessions")
    await parent.send("Jag heter Kristina Lindqvist, ring 070-123 45 67")
    values = harness.intake_bot.service.engine.clinics.values("sv", "")
    assert parent.last_text == render("sv", "bot.apology", **values)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].startswith("unexpected OperationalError on a message: ")
    assert "service.py" in errors[0]  # where it happened, not what was said
    assert "070" not in caplog.text
    assert_no_identifiers(caplog.text, parent)


async def test_a_whole_intake_logs_kinds_and_keys_only(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parents = [
        harness.parent(first_name="Astrid", last_name="Berg", username="astrid_b"),
        harness.parent(first_name="Signe", last_name=None, username=None, language_code="sv"),
    ]
    for parent in parents:
        await parent.play(intake_script(free_text="Astrid Berg here, call 070-765 43 21"))
        await parent.share("contact")
    assert "tap -> suggest.mip suggest.next.mip prompt.done" in caplog.text
    assert "contact -> bot.kind.contact" in caplog.text
    assert "070" not in caplog.text
    assert_no_identifiers(caplog.text, *parents)


async def test_a_button_press_too_old_to_answer_still_counts(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent()
    await parent.send("/start")
    harness.api.fail("answerCallbackQuery", 400)
    await parent.tap("Let's begin")
    assert parent.last_text.startswith("Before we start")
    assert "a button press could not be answered" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
