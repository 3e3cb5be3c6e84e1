"""`intake bot` settings: every bad one fails at start with one clear line and exit code 2."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot import settings as config
from bot.logs import Redact
from bot.settings import ConfigError, Settings
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
    with pytest.raises(ConfigError, match=message) as raised:
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


# ---- the readers the other commands use


def test_the_database_path_is_the_option_else_intake_db_else_data_intake_db(
    tmp_path: Path,
) -> None:
    env = {"INTAKE_DB": str(tmp_path / "env.db")}
    assert config.database_path("given.db", environ=env) == Path("given.db")
    assert config.database_path(environ=env) == tmp_path / "env.db"
    assert config.database_path(environ={}) == Path("data/intake.db")


def test_retention_comes_from_the_environment() -> None:
    assert config.retention({}) == storage.RetentionSettings(30, 30, 24)
    env = {
        "INTAKE_SESSION_IDLE_DAYS": "7",
        "INTAKE_LINK_DAYS": " 14 ",
        "INTAKE_RETENTION_MONTHS": "",
    }
    assert config.retention(env) == storage.RetentionSettings(7, 14, 24)
    for bad in ("-1", "thirty", "1.5"):
        with pytest.raises(ConfigError, match="INTAKE_LINK_DAYS must be a whole number"):
            config.retention({"INTAKE_LINK_DAYS": bad})


@pytest.mark.parametrize("secret", [None, "", "   ", "short", "x" * 15])
def test_a_missing_or_short_intake_secret_is_one_sentence_naming_it(secret: str | None) -> None:
    env = {} if secret is None else {"INTAKE_SECRET": secret}
    with pytest.raises(ConfigError) as error:
        config.intake_secret(env)
    assert str(error.value).startswith("INTAKE_SECRET must be set")
    assert config.intake_secret_if_set(env) is None


def test_a_damaged_chat_key_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / ".intake-secret").write_text("")
    with pytest.raises(ConfigError, match="delete it to make a new one"):
        config.chat_secret(tmp_path)


def test_the_other_commands_read_their_settings_here(tmp_path: Path) -> None:
    env = {
        "INTAKE_CLINIC_CONFIG": " clinic.toml ",
        "TELEGRAM_BOT_USERNAME": "@my_clinic_bot",
        "INTAKE_AUDIT_DB": str(tmp_path / "audit.db"),
        "INTAKE_STAFF_ACCOUNTS": " accounts.txt ",
        "INTAKE_STAFF_PASSWORD_HASH": "anna:x bert:y",
        "LANG": "sv_SE.UTF-8",
    }
    assert config.clinic_config(environ=env) == "clinic.toml"
    assert config.clinic_config("mine.toml", environ=env) == "mine.toml"
    assert config.clinic_config(environ={}) is None
    assert config.bot_username(environ=env) == "my_clinic_bot"
    assert config.audit_db(env) == tmp_path / "audit.db"
    assert config.audit_db({}) is None
    assert config.staff_accounts(env) == config.StaffAccountSources("accounts.txt", "anna:x bert:y")
    assert config.terminal_language(env) == "sv"
    assert config.terminal_language({}) == "en"


def test_only_the_settings_module_reads_the_environment() -> None:
    """Every environment variable is read in bot/settings.py (the rest may only set some for
    the libraries they start)."""
    root = Path(__file__).resolve().parents[2]
    readers = []
    code = [path for room in ("bot", "storage", "flows") for path in root.glob(f"{room}/**/*.py")]
    for path in code:
        if path.name == "settings.py" and path.parent.name == "bot":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"os\.environ\.get|os\.getenv|environ\[[^]]+\](?!\s*=)", line):
                readers.append(f"{path.relative_to(root)}:{number}")
    assert readers == []
