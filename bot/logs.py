"""Logging that keeps secrets: text or JSON lines, no time of day, no tracebacks, no tokens.

Logs name events, update kinds and counts, never a person: the handlers see to that, and
`Redact` blanks any secret a library might print. No time of day is written: the service
manager (journald, Docker) stamps each line as it arrives.
"""

from __future__ import annotations

import json
import logging
import sys

from bot.settings import Settings

#: httpx and httpcore log each request's URL, which holds the token; apscheduler each run of
#: a job, transitions each state change (every step of every parent), tornado each webhook
#: request.
NOISY_LOGGERS = ("httpx", "httpcore", "apscheduler", "transitions", "tornado.access")


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
    """Text or JSON lines to stderr at the set level (libraries' at INFO at the lowest);
    library chatter silenced, secrets redacted."""
    handler = logging.StreamHandler(sys.stderr)
    formatter = (
        JsonLines()
        if settings.log_format == "json"
        else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(formatter)
    secrets = (settings.token, settings.secret, settings.previous_secret, settings.webhook_secret)
    handler.addFilter(Redact(tuple(secret for secret in secrets if secret)))
    # DEBUG is for the bot's own lines (one per update): a library's DEBUG lines may hold whole
    # requests and updates (python-telegram-bot logs every call's parameters, a webhook's body).
    logging.basicConfig(level=max(settings.log_level, logging.INFO), handlers=[handler], force=True)
    logging.getLogger("intake").setLevel(settings.log_level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
