"""Logs as text or JSON lines, at a chosen level: event names and counts, never a secret or time."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.logs import configure_logging
from bot.settings import ConfigError, Settings
from tests.support import SECRET, TOKEN, BotHarness, bot_env, intake_script

DANGER = "I want to die"
PURGE_LINE = "purged 0 idle session(s), 0 expired link(s), 0 old intake(s)"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers: put pytest's back afterwards."""
    root, ours = logging.getLogger(), logging.getLogger("intake")
    handlers, level, our_level = root.handlers[:], root.level, ours.level
    yield
    root.handlers[:], root.level, ours.level = handlers, level, our_level


def settings(tmp_path: Path, **extra: str) -> Settings:
    return Settings.from_env(bot_env(tmp_path / "intake.db", **extra))


def leak_secrets() -> None:
    """What a careless library might log: the token in a URL, the key in a message, a trace."""
    logging.getLogger("telegram.ext").info("GET https://api.telegram.org/bot%s/getMe", TOKEN)
    logging.getLogger("intake.bot").warning("the key is %s", SECRET)
    try:
        raise ValueError(f"Kristina, 070-123 45 67, {TOKEN}")
    except ValueError:
        logging.getLogger("intake.bot").exception("failed")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_token_and_the_key_are_redacted_in_both_formats(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(settings(tmp_path, INTAKE_LOG_FORMAT=fmt))
    leak_secrets()
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 3
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET, "Kristina", "070-123"):
        assert secret not in err
    assert err.count("[redacted]") == 2
    # No time of day on any line: the service manager stamps lines as they arrive.
    assert not re.search(r"[0-9]{2}:[0-9]{2}:[0-9]{2}", err)
    if fmt == "json":
        records = [json.loads(line) for line in lines]
        assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR"]
        assert records[2]["message"] == "failed (ValueError)"
        assert all(set(r) == {"level", "logger", "event", "message"} for r in records)
    else:
        assert lines[1] == "WARNING intake.bot: the key is [redacted]"


def test_the_level_is_a_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(settings(tmp_path, INTAKE_LOG_LEVEL="warning"))
    leak_secrets()
    err = capsys.readouterr().err
    assert "GET https://" not in err  # INFO is below the level
    assert "the key is [redacted]" in err


def test_debug_adds_the_bots_own_lines_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(settings(tmp_path, INTAKE_LOG_LEVEL="debug"))
    logging.getLogger("intake.bot").debug("tap -> q.role")
    # python-telegram-bot's DEBUG lines hold every call's parameters: a chat id, a text.
    logging.getLogger("telegram.Bot").debug("Calling Bot API endpoint with %s", "712345678")
    logging.getLogger("telegram.ext.Application").info("Application started")
    err = capsys.readouterr().err
    assert "DEBUG intake.bot: tap -> q.role" in err
    assert "712345678" not in err
    assert "Application started" in err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("INTAKE_LOG_FORMAT", "xml", "INTAKE_LOG_FORMAT must be text or json"),
        ("INTAKE_LOG_LEVEL", "LOUD", "INTAKE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR"),
    ],
)
def test_a_wrong_log_setting_is_a_clear_error(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        settings(tmp_path, **{name: value})


async def test_the_purge_logs_its_event_and_counts_as_json(
    running_bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(replace(running_bot.intake_bot.settings, log_format="json"))
    (job,) = running_bot.app.job_queue.get_jobs_by_name("purge")
    await job.run(running_bot.app)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    purge = next(line for line in lines if line["event"] == "purge")
    assert purge["message"] == PURGE_LINE
    assert purge["counts"] == {"sessions": 0, "links": 0, "intakes": 0}


async def test_info_tells_the_traffic_in_hourly_counts_not_a_line_per_update(
    running_bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(replace(running_bot.intake_bot.settings, log_format="json"))
    (job,) = running_bot.app.job_queue.get_jobs_by_name("counts")
    assert job.trigger.interval == timedelta(hours=1)
    parent, other = running_bot.parent(), running_bot.parent()
    await parent.play(intake_script())
    await other.send("/start")
    await other.send(DANGER)
    await other.share("contact")
    capsys.readouterr()
    await job.run(running_bot.app)
    await job.run(running_bot.app)  # nothing happened since: no line
    (line,) = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert line["event"] == "counts"
    assert line["counts"] == {
        "updates.tap": 14,
        "updates.text": 3,
        "updates.aside": 1,
        "replies.crisis.danger": 1,
        "replies.completed": 1,
    }
    assert line["message"] == (
        "handled since the last count: updates aside 1, tap 14, text 3; "
        "replies completed 1, crisis.danger 1"
    )


async def test_at_info_no_line_is_written_per_update(
    running_bot: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(running_bot.intake_bot.settings)
    await running_bot.parent().play(intake_script()[:4])
    assert capsys.readouterr().err == ""
