"""`intake bot`: the intake conversation on Telegram, by long polling or a webhook.

The application lives in `bot.tg_app`; it is imported only when the bot runs, so that the
other subcommands start without loading python-telegram-bot. The bot is run here rather than
by python-telegram-bot's `run_polling`/`run_webhook`: start-up waits out a Bot API that is
not there yet (`IntakeApplication.initialize`), and the webhook has its own server, which
checks the secret before it reads a request's body (`bot.tg_webhook`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import signal
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.settings import ConfigError

log = logging.getLogger("intake.bot")

COMMAND_LINE_REFUSED = (
    "--secret-token is no longer accepted: a command line can be read by every user of the "
    "machine (ps). Put the secret in TELEGRAM_WEBHOOK_SECRET (in the environment or .env)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates on this public HTTPS URL instead of long polling "
        "(the secret Telegram sends: TELEGRAM_WEBHOOK_SECRET, else a random one)",
    )
    parser.add_argument(
        "--listen", default="127.0.0.1", help="webhook: address to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8443, help="webhook: port to listen on (default 8443)"
    )
    parser.add_argument("--secret-token", help=argparse.SUPPRESS)


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where the webhook listens, the public URL Telegram is given, and the shared secret."""

    listen: str
    port: int
    path: str
    url: str
    secret: str


def webhook_options(args: argparse.Namespace, secret: str | None) -> Webhook:
    """The webhook from the command line and TELEGRAM_WEBHOOK_SECRET, checked."""
    url = urlsplit(args.webhook)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ConfigError("--webhook must be a URL such as https://example.org/bot")
    return Webhook(
        listen=args.listen,
        port=args.port,
        path=url.path.lstrip("/"),
        url=args.webhook,
        secret=secret or secrets.token_urlsafe(32),
    )


def run(args: argparse.Namespace) -> int:
    """Run the bot until stopped: long polling, or a webhook server with --webhook."""
    if args.secret_token is not None:
        raise ConfigError(COMMAND_LINE_REFUSED)

    from telegram.error import InvalidToken

    from bot.logs import configure_logging
    from bot.settings import Settings
    from bot.tg_app import build_application

    settings = Settings.from_env()
    webhook = webhook_options(args, settings.webhook_secret) if args.webhook else None
    configure_logging(settings)
    app = build_application(settings)
    try:
        asyncio.run(serve(app, webhook))
    except InvalidToken:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN was refused by the Bot API: copy it again from @BotFather."
        ) from None
    return 0


async def serve(app: Any, webhook: Webhook | None) -> None:
    """Start the application, receive updates until SIGTERM or SIGINT, then stop cleanly.

    A stop signal during start-up (while the Bot API cannot be reached) stops at once.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = None
    try:
        starting = asyncio.ensure_future(start(app, webhook))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({starting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            return
        stopping.cancel()
        server = starting.result()
        await stop.wait()
    finally:
        await finish(app, server)


async def start(app: Any, webhook: Webhook | None) -> Any:
    """Initialise (waiting for the Bot API), set up updates, start; the webhook server if any."""
    from bot.tg_app import ALLOWED_UPDATES, with_retries
    from bot.tg_webhook import webhook_server

    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    server = None
    if webhook is None:
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    else:
        server = webhook_server(app, webhook.path, webhook.secret)
        server.listen(webhook.port, address=webhook.listen)

        async def register() -> None:
            await app.bot.set_webhook(
                webhook.url, allowed_updates=ALLOWED_UPDATES, secret_token=webhook.secret
            )

        await with_retries(register, "the webhook")
    await app.start()
    log.info("receiving updates by %s", "webhook" if webhook else "long polling")
    return server


async def finish(app: Any, server: Any) -> None:
    """Stop receiving, finish the updates under way, and close everything, in that order."""
    if server is not None:
        server.stop()
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
