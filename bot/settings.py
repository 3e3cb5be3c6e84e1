"""Every setting the `intake` commands read from the environment (or `.env`), checked here.

This is the one module that reads the environment: each command asks it for what it needs
(the bot its `Settings`, the terminal chat and the staff tools a few readers below). A missing
or malformed setting raises `ConfigError` with one line saying what to do, which `intake`
prints without a traceback. Messages name the setting, never its value: a value may be the
token, a key or a Telegram id.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import storage

Environ = Mapping[str, str]

#: Where the database lives when neither --db nor INTAKE_DB says.
DEFAULT_DB_PATH = "data/intake.db"


class ConfigError(Exception):
    """The configuration is missing something or malformed; the message says what to do."""


def _env(environ: Environ | None) -> Environ:
    return os.environ if environ is None else environ


# ---- every command


def database_path(
    given: str | os.PathLike[str] | None = None, *, environ: Environ | None = None
) -> Path:
    """The database file: ``given`` (a --db option) if set, else INTAKE_DB, else data/intake.db."""
    if given is not None:
        return Path(given)
    return Path(_env(environ).get("INTAKE_DB") or DEFAULT_DB_PATH)


def retention(environ: Environ | None = None) -> storage.RetentionSettings:
    """How long data is kept (INTAKE_SESSION_IDLE_DAYS, INTAKE_LINK_DAYS,
    INTAKE_RETENTION_MONTHS; the defaults where unset)."""
    env = _env(environ)
    defaults = storage.RetentionSettings()
    return storage.RetentionSettings(
        session_idle_days=_count(env, "INTAKE_SESSION_IDLE_DAYS", defaults.session_idle_days),
        link_days=_count(env, "INTAKE_LINK_DAYS", defaults.link_days),
        intake_months=_count(env, "INTAKE_RETENTION_MONTHS", defaults.intake_months),
    )


def _count(env: Environ, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number of at least 0, not {raw!r}.")
    return int(raw)


def clinic_config(given: str | None = None, *, environ: Environ | None = None) -> str | None:
    """The clinic file: ``given`` (a --clinic-config option), else INTAKE_CLINIC_CONFIG, else the
    shipped Swedish one (None)."""
    return given or _env(environ).get("INTAKE_CLINIC_CONFIG", "").strip() or None


def intake_secret(environ: Environ | None = None) -> str:
    """INTAKE_SECRET, the pseudonymisation key, checked."""
    try:
        return storage.check_secret(_env(environ).get("INTAKE_SECRET"))
    except storage.SecretError as error:
        raise ConfigError(f"INTAKE_SECRET {error}") from None


def intake_secret_if_set(environ: Environ | None = None) -> str | None:
    """INTAKE_SECRET when it is set and valid (`intake purge` reports keys with it), else None."""
    try:
        return intake_secret(environ)
    except ConfigError:
        return None


# ---- the terminal chat


def terminal_language(environ: Environ | None = None) -> str:
    """Swedish when the terminal's LANG is, else English."""
    return "sv" if _env(environ).get("LANG", "").startswith("sv") else "en"


def chat_secret(folder: Path) -> str:
    """The terminal chat's own key, kept in ``.intake-secret`` beside its database."""
    try:
        return storage.local_secret(folder / ".intake-secret")
    except storage.SecretError as error:
        raise ConfigError(str(error)) from None


# ---- the staff tools


BOT_USERNAME_ENV = "TELEGRAM_BOT_USERNAME"


def bot_username(given: str | None = None, *, environ: Environ | None = None) -> str:
    """The bot's username for deep links: ``given`` (--bot-username) if set, else
    TELEGRAM_BOT_USERNAME; without a leading @ (checked by `intake qr`)."""
    return (given or _env(environ).get(BOT_USERNAME_ENV, "")).strip().removeprefix("@")


AUDIT_DB_ENV = "INTAKE_AUDIT_DB"


def audit_db(environ: Environ | None = None) -> Path | None:
    """INTAKE_AUDIT_DB, the staff access log's file, if set (else it lives beside the database)."""
    raw = _env(environ).get(AUDIT_DB_ENV, "").strip()
    return Path(raw) if raw else None


#: Where staff accounts come from: a file (one NAME:HASH a line) and/or the variable itself.
ACCOUNTS_FILE_ENV = "INTAKE_STAFF_ACCOUNTS"
PASSWORD_HASH_ENV = "INTAKE_STAFF_PASSWORD_HASH"  # noqa: S105 (a setting's name)


@dataclass(frozen=True, slots=True)
class StaffAccountSources:
    """The staff account settings as given: a file's name, and space-separated entries."""

    file: str = ""
    entries: str = ""


def staff_accounts(environ: Environ | None = None) -> StaffAccountSources:
    """INTAKE_STAFF_ACCOUNTS and INTAKE_STAFF_PASSWORD_HASH, as given (checked by the review)."""
    env = _env(environ)
    return StaffAccountSources(
        env.get(ACCOUNTS_FILE_ENV, "").strip(), env.get(PASSWORD_HASH_ENV, "")
    )


# ---- the Telegram bot

TOKEN = re.compile(r"[0-9]{1,20}:[A-Za-z0-9_-]{20,}")
#: Telegram's own limit on all messages of a bot; 0 turns throttling off (for a local server).
DEFAULT_RATE_LIMIT = 30.0

TELEGRAM_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"


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
    #: The proxy to reach the Bot API through, from the usual HTTPS_PROXY / HTTP_PROXY /
    #: ALL_PROXY (and NO_PROXY) variables; None for a direct connection.
    proxy: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and check every setting the bot needs."""
        env = os.environ if environ is None else environ
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env "
                "(or try the conversation without one: `intake chat`)."
            )
        if not TOKEN.fullmatch(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then "
                "letters): copy it again from @BotFather."
            )
        base_url, base_file_url = api_urls(env.get("TELEGRAM_API_BASE_URL", "").strip())
        secret = intake_secret(env)
        return cls(
            token=token,
            secret=secret,
            previous_secret=previous_secret(env.get("INTAKE_SECRET_PREVIOUS", ""), secret),
            webhook_secret=webhook_secret(env.get("TELEGRAM_WEBHOOK_SECRET", "")),
            db_path=database_path(environ=env),
            base_url=base_url,
            base_file_url=base_file_url,
            staff_ids=staff_ids(env.get("STAFF_USER_IDS", "")),
            clinic_config=clinic_config(environ=env),
            rate_limit=rate_limit(env.get("TELEGRAM_RATE_LIMIT", "")),
            retention=retention(env),
            log_format=log_format(env.get("INTAKE_LOG_FORMAT", "")),
            log_level=log_level(env.get("INTAKE_LOG_LEVEL", "")),
            proxy=proxy_for(base_url, env),
        )


def proxy_for(url: str, env: Mapping[str, str]) -> str | None:
    """The proxy for ``url`` from the environment variables every HTTP client reads:
    ``HTTPS_PROXY`` (or ``HTTP_PROXY`` for an http URL), else ``ALL_PROXY``, in either case,
    unless ``NO_PROXY`` names the host (or a domain it is in, or ``*``)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()

    def get(name: str) -> str:
        return (env.get(name.lower()) or env.get(name.upper()) or "").strip()

    exempt = [entry.strip().lower().lstrip(".") for entry in get("no_proxy").split(",")]
    if any(e == "*" or (e and (host == e or host.endswith("." + e))) for e in exempt):
        return None
    return get(f"{parts.scheme}_proxy") or get("all_proxy") or None


def previous_secret(raw: str, current: str) -> str | None:
    """The key before a rotation, checked like the current one; None when unset."""
    if not raw.strip():
        return None
    try:
        previous = storage.check_secret(raw)
    except storage.SecretError:
        raise ConfigError(
            "INTAKE_SECRET_PREVIOUS must be the former INTAKE_SECRET (at least 16 characters), "
            "or unset."
        ) from None
    if previous == current:
        raise ConfigError(
            "INTAKE_SECRET_PREVIOUS is the same as INTAKE_SECRET: unset it, or set the former key."
        )
    return previous


def webhook_secret(raw: str) -> str | None:
    """Telegram's webhook secret token: 1-256 letters, digits, _ or -; None when unset."""
    secret = raw.strip()
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET must be 1-256 letters, digits, _ or -.")
    return secret or None


def api_urls(base_url: str) -> tuple[str, str]:
    """The Bot API's base URL and its file URL, from python-telegram-bot's ``base_url`` form."""
    if not base_url:
        return TELEGRAM_URL, TELEGRAM_FILE_URL
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?/bot", base_url):
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must be a Bot API server's URL ending in /bot, "
            "for example http://127.0.0.1:8081/bot."
        )
    return base_url, base_url.removesuffix("/bot") + "/file/bot"


def staff_ids(raw: str) -> frozenset[int]:
    """Telegram user ids from a comma-separated list."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isascii() and part.isdigit() for part in parts):
        raise ConfigError(
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
        raise ConfigError("TELEGRAM_RATE_LIMIT must be a number of messages per second.")
    return value


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def log_format(raw: str) -> str:
    """``text`` (the default) or ``json`` (one JSON object a line, for a log collector)."""
    value = raw.strip().lower() or "text"
    if value not in LOG_FORMATS:
        raise ConfigError("INTAKE_LOG_FORMAT must be text or json.")
    return value


def log_level(raw: str) -> int:
    """A level name (INFO unless set): DEBUG, INFO, WARNING or ERROR."""
    value = raw.strip().upper() or "INFO"
    if value not in LOG_LEVELS:
        raise ConfigError("INTAKE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR.")
    return int(logging.getLevelName(value))
