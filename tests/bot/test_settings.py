"""`intake bot` settings: every bad one fails at start with one clear line and exit code 2."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot.tg_settings import Redact, Settings
from tests.support import SECRET, TOKEN, bot_env


def settings(tmp_path: Path, **changes: str) -> Settings:
    return Settings.from_env({**bot_env(tmp_path / "intake.db"), **changes})


def test_good_settings_are_read(tmp_path: Path) -> None:
    read = settings(
        tmp_path,
        STAFF_USER_IDS=" 12, 34 ,",
        TELEGRAM_API_BASE_URL="http://127.0.0.1:8081/bot",
        INTAKE_LINK_DAYS="7",
        TELEGRAM_RATE_LIMIT="",
    )
    assert read.token == TOKEN
    assert read.secret == SECRET
    assert read.staff_ids == {12, 34}
    assert read.base_url == "http://127.0.0.1:8081/bot"
    assert read.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert read.db_path == tmp_path / "intake.db"
    assert read.retention.link_days == 7
    assert read.rate_limit == 30


def test_without_a_base_url_the_bot_talks_to_telegram(tmp_path: Path) -> None:
    read = settings(tmp_path)
    assert read.base_url == "https://api.telegram.org/bot"
    assert read.base_file_url == "https://api.telegram.org/file/bot"
    assert read.staff_ids == frozenset()
    assert read.rate_limit == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TELEGRAM_BOT_TOKEN", "", "TELEGRAM_BOT_TOKEN is not set"),
        ("TELEGRAM_BOT_TOKEN", "not a token", "does not look like a bot token"),
        ("INTAKE_SECRET", "short", "INTAKE_SECRET must be set"),
        ("STAFF_USER_IDS", "12, nurse", "STAFF_USER_IDS must be Telegram user ids"),
        ("TELEGRAM_API_BASE_URL", "127.0.0.1:8081", "TELEGRAM_API_BASE_URL must be"),
        ("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081/", "ending in /bot"),
        ("TELEGRAM_RATE_LIMIT", "fast", "TELEGRAM_RATE_LIMIT must be"),
        ("TELEGRAM_RATE_LIMIT", "-1", "TELEGRAM_RATE_LIMIT must be"),
        ("INTAKE_LINK_DAYS", "a month", "INTAKE_LINK_DAYS"),
        ("INTAKE_SECRET_PREVIOUS", "short", "INTAKE_SECRET_PREVIOUS must be"),
        ("INTAKE_SECRET_PREVIOUS", SECRET, "the same as INTAKE_SECRET"),
        ("TELEGRAM_WEBHOOK_SECRET", "a secret with spaces", "TELEGRAM_WEBHOOK_SECRET must be"),
    ],
)
def test_a_bad_setting_is_named(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(storage.ConfigError, match=message) as raised:
        settings(tmp_path, **{name: value})
    secrets = ("TELEGRAM_BOT_TOKEN", "INTAKE_SECRET", "INTAKE_SECRET_PREVIOUS", "STAFF_USER_IDS")
    if value and name in (*secrets, "TELEGRAM_WEBHOOK_SECRET"):
        assert value not in str(raised.value)  # a secret or an id is never echoed


def run_bot(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "INTAKE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "bot", *args],
        cwd=tmp_path,  # no developer's own .env
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"INTAKE_SECRET": ""}, "INTAKE_SECRET must be set"),
        ({"STAFF_USER_IDS": "x"}, "STAFF_USER_IDS must be"),
        ({"INTAKE_CLINIC_CONFIG": "missing.toml"}, "cannot read the clinic configuration"),
        ({"INTAKE_DB": "/proc/no/such/intake.db"}, "INTAKE_DB"),
    ],
)
def test_intake_bot_fails_at_start_with_one_line(
    tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    result = run_bot(tmp_path, {**bot_env(tmp_path / "intake.db"), **changes})
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("intake bot: ")
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_webhook_secret_is_refused(tmp_path: Path) -> None:
    env = bot_env(tmp_path / "intake.db", TELEGRAM_WEBHOOK_SECRET="a b")
    result = run_bot(tmp_path, env, "--webhook", "https://example.org/hook")
    assert result.returncode == 2
    assert "TELEGRAM_WEBHOOK_SECRET must be" in result.stderr
    assert "a b" not in result.stderr


def test_the_other_subcommands_do_not_load_telegram() -> None:
    code = "import sys, bot.cli; bot.cli.build_parser(); print('telegram' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"


def test_the_token_is_redacted_from_any_log_record() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", (f"https://x/bot{TOKEN}/getMe",), None
    )
    Redact((TOKEN, SECRET)).filter(record)
    assert record.getMessage() == "POST https://x/bot[redacted]/getMe"


def test_tracebacks_are_left_out_of_the_log() -> None:
    try:
        raise ValueError("Kristina, 070-123 45 67")
    except ValueError:
        record = logging.LogRecord(
            "telegram.ext", logging.ERROR, __file__, 1, "Aborting.", None, sys.exc_info()
        )
    Redact((TOKEN,)).filter(record)
    assert logging.Formatter().format(record) == "Aborting. (ValueError)"
