"""`intake qr`: a QR code for a clinic's poster, opening the bot with that clinic's code.

The link is Telegram's deep link ``https://t.me/<bot>?start=<CODE>``; the code must be one of
the configured clinics, since the bot would tag an unknown code's intakes with the default
clinic anyway.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import storage
from bot.staff.selection import add_language_argument, clinic_argument
from bot.staff.texts import language, text
from flows.clinic import ClinicConfigError, load_clinic_config

BOT_USERNAME_ENV = "TELEGRAM_BOT_USERNAME"
#: Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter.
BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
#: Pixels per QR module: a short link's code is then 370 px square, sharp on an A4 poster.
SCALE = 10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clinic", type=clinic_argument, required=True, metavar="CODE", help="clinic code"
    )
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE.png", help="PNG file to write"
    )
    parser.add_argument(
        "--bot-username", help=f"the bot's Telegram username (default: {BOT_USERNAME_ENV})"
    )
    parser.add_argument(
        "--clinic-config",
        help="clinic configuration file (default: INTAKE_CLINIC_CONFIG, else the shipped example)",
    )
    add_language_argument(parser)


def bot_username(given: str | None) -> str:
    """The bot's username from the option or the configuration, without a leading @."""
    name = (given or os.environ.get(BOT_USERNAME_ENV, "")).strip().removeprefix("@")
    if not name:
        raise storage.ConfigError(
            f"The bot's username is needed for its link: give --bot-username or set "
            f"{BOT_USERNAME_ENV} (the name BotFather gave, e.g. my_clinic_bot)."
        )
    if not BOT_USERNAME.fullmatch(name):
        raise storage.ConfigError(f"{name!r} is not a Telegram username (5–32 letters, digits, _).")
    return name


def deep_link(username: str, clinic: str) -> str:
    return f"https://t.me/{username}?start={clinic}"


def write_qr(link: str, out: Path) -> None:
    """The link as a PNG QR code, with the quiet zone scanners need around it."""
    import segno

    out.parent.mkdir(parents=True, exist_ok=True)
    segno.make(link, error="m", micro=False).save(str(out), kind="png", scale=SCALE, border=4)


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    config = load_clinic_config(args.clinic_config or os.environ.get("INTAKE_CLINIC_CONFIG"))
    if args.clinic not in config.clinics:
        raise ClinicConfigError(
            f"{args.clinic!r} is not a configured clinic; known codes: "
            + ", ".join(sorted(config.clinics))
        )
    link = deep_link(bot_username(args.bot_username), args.clinic)
    write_qr(link, args.out)
    print(link)  # alone on standard output, for scripts
    name = config.clinics[args.clinic].name[lang]
    print(text(lang, "qr.done", out=args.out, clinic=name), file=sys.stderr)
    return 0
