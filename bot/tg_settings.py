"""The Telegram bot's settings, from the environment (or `.env`), and logging that keeps secrets.

Every setting is checked at start: a missing or malformed one raises `storage.ConfigError`
with one line saying what to do, which `intake` prints without a traceback. Messages name
the setting, never its value: a value may be the token or a Telegram id.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import storage

TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,}")
#: Telegram's own limit on all messages of a bot; 0 turns throttling off (for a local server).
DEFAULT_RATE_LIMIT = 30.0

TELEGRAM_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"

#: httpx and httpcore log each request's URL, which holds the token; apscheduler each run of
#: a job, transitions each state change (every step of every parent), tornado each webhook
#: request.
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "transitions", "tornado.access")


@dataclass(frozen=True, slots=True)
class Settings:
    token: str
    secret: str
    db_path: Path
    base_url: str = TELEGRAM_URL
    base_file_url: str = TELEGRAM_FILE_URL
    staff_ids: frozenset[int] = frozenset()
    clinic_config: str | None = None
    rate_limit: float = DEFAULT_RATE_LIMIT
    retention: storage.RetentionSettings = field(default_factory=storage.RetentionSettings)
    log_format: str = "text"
    log_level: int = logging.INFO
    #: The pseudonymisation key before the last rotation, while parents still move off it.
    previous_secret: str | None = None
    #: What Telegram must send with every webhook update (a random one when unset).
    webhook_secret: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting the bot needs."""
        env = os.environ if environ is None else environ
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise storage.ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env "
                "(or try the conversation without one: `intake chat`)."
            )
        if not TOKEN.fullmatch(token):
            raise storage.ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then "
                "letters): copy it again from @BotFather."
            )
        base_url, base_file_url = api_urls(env.get("TELEGRAM_API_BASE_URL", "").strip())
        secret = storage.check_secret(env.get("INTAKE_SECRET"))
        return cls(
            token=token,
            secret=secret,
            previous_secret=previous_secret(env.get("INTAKE_SECRET_PREVIOUS", ""), secret),
            webhook_secret=webhook_secret(env.get("TELEGRAM_WEBHOOK_SECRET", "")),
            db_path=storage.database_path(env.get("INTAKE_DB") or None),
            base_url=base_url,
            base_file_url=base_file_url,
            staff_ids=staff_ids(env.get("STAFF_USER_IDS", "")),
            clinic_config=env.get("INTAKE_CLINIC_CONFIG", "").strip() or None,
            rate_limit=rate_limit(env.get("TELEGRAM_RATE_LIMIT", "")),
            retention=storage.RetentionSettings.from_env(env),
            log_format=log_format(env.get("INTAKE_LOG_FORMAT", "")),
            log_level=log_level(env.get("INTAKE_LOG_LEVEL", "")),
        )


def previous_secret(raw: str, current: str) -> str | None:
    """The key before a rotation, checked like the current one; None when unset."""
    if not raw.strip():
        return None
    try:
        previous = storage.check_secret(raw)
    except storage.ConfigError:
        raise storage.ConfigError(
            "INTAKE_SECRET_PREVIOUS must be the former INTAKE_SECRET (at least 16 characters), "
            "or unset."
        ) from None
    if previous == current:
        raise storage.ConfigError(
            "INTAKE_SECRET_PREVIOUS is the same as INTAKE_SECRET: unset it, or set the former key."
        )
    return previous


def webhook_secret(raw: str) -> str | None:
    """Telegram's webhook secret token: 1-256 letters, digits, _ or -; None when unset."""
    secret = raw.strip()
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise storage.ConfigError("TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, _ or -.")
    return secret or None


def api_urls(base_url: str) -> tuple[str, str]:
    """The Bot API's base URL and its file URL, from python-telegram-bot's ``base_url`` form."""
    if not base_url:
        return TELEGRAM_URL, TELEGRAM_FILE_URL
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?/bot", base_url):
        raise storage.ConfigError(
            "TELEGRAM_API_BASE_URL must be a Bot API server's URL ending in /bot, "
            "for example http://127.0.0.1:8081/bot."
        )
    return base_url, base_url.removesuffix("/bot") + "/file/bot"


def staff_ids(raw: str) -> frozenset[int]:
    """Telegram user ids from a comma-separated list."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise storage.ConfigError(
            "STAFF_USER_IDS must be Telegram user ids (numbers), separated by commas."
        )
    return frozenset(int(part) for part in parts)


def rate_limit(raw: str) -> float:
    """Messages per second for the whole bot: Telegram's limit unless set (0 = no throttling)."""
    if not raw.strip():
        return DEFAULT_RATE_LIMIT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise storage.ConfigError("TELEGRAM_RATE_LIMIT must be a number of messages per second.")
    return value


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_format(raw: str) -> str:
    """``text`` (the default) or ``json`` (one JSON object a line, for a log collector)."""
    value = raw.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise storage.ConfigError("INTAKE_LOG_FORMAT must be text or json.")
    return value


def log_level(raw: str) -> int:
    """A level name (INFO unless set): DEBUG, INFO, WARNING or ERROR."""
    value = raw.strip().upper() or "INFO"
    if value not in LOG_LEVELS:
        raise storage.ConfigError("INTAKE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
    return int(logging.getLevelName(value))


class Redact(logging.Filter):
    """Blanks secrets out of every record, and leaves tracebacks out of the log.

    A library could put the token in a message; a traceback shows the values of the error
    it ends in, which may be anything a parent wrote. The exception's type is kept.
    """

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = tuple(secret for secret in secrets if secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            message = f"{message} ({record.exc_info[0].__name__})"
            record.exc_info, record.exc_text = None, None
        for secret in self.secrets:
            message = message.replace(secret, "[redacted]")
        record.msg, record.args = message, None
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: level, logger, event name, message, and counts where given.

    No time is written (the service manager stamps each line as it arrives) and nothing else
    of the record: a message has already been through `Redact`, counts are numbers.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "level": record.levelname,
            "logger": record.name,
            "event": getattr(record, "event", None) or "message",
            "message": record.getMessage(),
        }
        counts = getattr(record, "counts", None)
        if isinstance(counts, dict):
            line["counts"] = {str(k): v for k, v in counts.items() if isinstance(v, int)}
        return json.dumps(line, ensure_ascii=False)


def configure_logging(settings: Settings) -> None:
    """Text or JSON lines to stderr at the set level; library chatter silenced, secrets redacted.

    No time of day is written: the service manager (journald, Docker) stamps each line.
    """
    handler = logging.StreamHandler(sys.stderr)
    formatter = (
        JsonLines()
        if settings.log_format == "json"
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(formatter)
    secrets = (settings.token, settings.secret, settings.previous_secret, settings.webhook_secret)
    handler.addFilter(Redact(tuple(secret for secret in secrets if secret)))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
