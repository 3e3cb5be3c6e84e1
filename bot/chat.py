"""`intake chat`: the intake conversation in a terminal, options numbered, one line per answer.

It reads standard input line by line, so a script can drive it too. It records like the bot
does (anonymised, in INTAKE_DB), with a local pseudonymisation key kept beside the database.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from bot import settings
from bot.service import IntakeService
from flows.clinic import load_clinic_config
from flows.engine import Engine
from flows.model import LANGUAGES, Command, Reply, Text
from flows.texts import render

#: The terminal stands for one local parent; only its keyed hash is ever stored.
LOCAL_USER = os.getuid() if hasattr(os, "getuid") else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang", choices=LANGUAGES, help="language of the chat (asked when not given)"
    )
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")
    parser.add_argument(
        "--no-store", action="store_true", help="keep nothing: no session, no intake record"
    )
    parser.add_argument(
        "--new", action="store_true", help="start a new conversation instead of resuming"
    )


def format_reply(reply: Reply) -> str:
    """A reply as terminal text: the message, then its options numbered from 1."""
    lines = [reply.text]
    lines += [f"  {number}) {option.label}" for number, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


def _ask_language(stdin: TextIO, stdout: TextIO) -> str:
    stdout.write(render("en", "language.ask") + "\n")
    for number, lang in enumerate(LANGUAGES, 1):
        stdout.write(f"  {number}) {render('en', f'language.{lang}')}\n")
    stdout.write("> ")
    stdout.flush()
    answer = stdin.readline().strip().casefold()
    return "sv" if answer in ("2", "sv", "svenska", "swedish") else "en"


def open_service(db_path: str | None, store: bool) -> IntakeService:
    """The service the chat talks to; with ``store`` off, an in-memory database."""
    import storage

    engine = Engine(load_clinic_config(settings.clinic_config()))
    if not store:
        return IntakeService(storage.open_db(":memory:"), engine, os.urandom(32).hex())
    path = settings.database_path(db_path)
    secret = settings.chat_secret(path.parent)
    return IntakeService(storage.open_db(path), engine, secret, settings.retention())


def chat(
    service: IntakeService, lang: str, stdin: TextIO, stdout: TextIO, *, new: bool = False
) -> int:
    """Run the conversation until standard input ends.

    ``new`` starts over in ``lang`` whatever language the earlier conversation had. The chat
    keeps the conversation's language as it goes: a conversation that ends with nothing kept
    (declined, erased) starts again in the language the parent last chose, not the first one.
    """
    interactive = stdin.isatty()
    first = Command("restart", lang) if new else Text("/start")
    outcome = service.handle(LOCAL_USER, first, lang=lang)
    while True:
        lang = outcome.conversation.lang
        stdout.write("\n\n".join(format_reply(reply) for reply in outcome.replies) + "\n\n")
        if interactive:
            stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            stdout.write("\n" + render(outcome.conversation.lang, "pause") + "\n")
            return 0
        outcome = service.handle(LOCAL_USER, Text(line.rstrip("\n")), lang=lang)


def run(args: argparse.Namespace) -> int:
    lang = args.lang or (
        _ask_language(sys.stdin, sys.stdout) if sys.stdin.isatty() else settings.terminal_language()
    )
    service = open_service(args.db, store=not args.no_store)
    return chat(service, lang, sys.stdin, sys.stdout, new=args.new)
