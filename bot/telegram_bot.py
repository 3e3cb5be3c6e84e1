"""`intake bot`: the intake conversation on Telegram, by long polling or a webhook.

The application lives in `bot.tg_app`; it is imported only when the bot runs, so that the
other subcommands start without loading python-telegram-bot.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
from urllib.parse import urlsplit

import storage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates on this public HTTPS URL instead of long polling",
    )
    parser.add_argument(
        "--listen", default="127.0.0.1", help="webhook: address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8443, help="webhook: port to listen on (default 8443)"
    )
    parser.add_argument(
        "--secret-token",
        help="webhook: the secret Telegram must send (default TELEGRAM_WEBHOOK_SECRET, "
        "else a random one)",
    )


def webhook_options(args: argparse.Namespace) -> dict[str, object]:
    """`Application.run_webhook`'s arguments from the command line, checked."""
    url = urlsplit(args.webhook)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise storage.ConfigError("--webhook must be a URL such as https://example.org/bot")
    secret = args.secret_token or os.environ.get("TELEGRAM_WEBHOOK_SECRET") or ""
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise storage.ConfigError("The webhook secret token must be 1-256 letters, digits, _ or -.")
    return {
        "listen": args.listen,
        "port": args.port,
        "url_path": url.path.lstrip("/"),
        "webhook_url": args.webhook,
        "secret_token": secret or secrets.token_urlsafe(32),
    }


def run(args: argparse.Namespace) -> int:
    """Run the bot until stopped: long polling, or a webhook server with --webhook."""
    from telegram.error import InvalidToken, NetworkError

    from bot.tg_app import ALLOWED_UPDATES, build_application
    from bot.tg_settings import Settings, configure_logging

    settings = Settings.from_env()
    webhook = webhook_options(args) if args.webhook else None
    configure_logging(settings)
    app = build_application(settings)
    try:
        if webhook:
            app.run_webhook(**webhook, allowed_updates=ALLOWED_UPDATES)  # type: ignore[arg-type]
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        raise storage.ConfigError(
            "TELEGRAM_BOT_TOKEN was refused by the Bot API: copy it again from @BotFather."
        ) from None
    except NetworkError as error:
        raise storage.ConfigError(
            f"cannot reach the Bot API at {settings.base_url} ({type(error).__name__}): "
            "check the network or TELEGRAM_API_BASE_URL."
        ) from None
    return 0
