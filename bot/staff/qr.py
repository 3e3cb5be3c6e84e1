"""`intake qr`: a QR code for a clinic's poster, opening the bot with that clinic's code.

The link is Telegram's deep link ``https://t.me/<bot>?start=<CODE>``; the code must be one of
the configured clinics, since the bot would tag an unknown code's intakes with the default
clinic anyway. ``--out``'s suffix decides the format: PNG (10 pixels a module), SVG or PDF
(vector, sharp at any size). ``--poster`` makes a whole A4 poster instead: the code, the
clinic's name and one line in each language, as a vector PDF (or SVG, or a 300 dpi PNG).
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import settings
from bot.settings import BOT_USERNAME_ENV, ConfigError
from bot.staff.selection import add_language_argument, clinic_argument
from bot.staff.texts import language, text
from flows.clinic import ClinicConfigError, load_clinic_config
from flows.model import LANGUAGES

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter.
BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
#: Pixels per QR module in a PNG: a short link's code is then 370 px square.
SCALE = 10
QUIET_ZONE = 4  # modules of white around the code, as scanners need
FORMATS = ("png", "svg", "pdf")
#: A4 in inches, and the resolution a PNG poster is drawn at (print quality).
A4 = (210 / 25.4, 297 / 25.4)
POSTER_DPI = 300


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clinic", type=clinic_argument, required=True, metavar="CODE", help="clinic code"
    )
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="file to write; its suffix (.png, .svg or .pdf) decides the format",
    )
    parser.add_argument(
        "--poster",
        action="store_true",
        help="an A4 poster: the code, the clinic's name and a line in each language",
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
    name = settings.bot_username(given)
    if not name:
        raise ConfigError(
            f"The bot's username is needed for its link: give --bot-username or set "
            f"{BOT_USERNAME_ENV} (the name BotFather gave, e.g. my_clinic_bot)."
        )
    if not BOT_USERNAME.fullmatch(name):
        raise ConfigError(f"{name!r} is not a Telegram username (5–32 letters, digits, _).")
    return name


def deep_link(username: str, clinic: str) -> str:
    return f"https://t.me/{username}?start={clinic}"


def format_of(out: Path) -> str:
    """The format the file's suffix names, or ConfigError: never a PNG under an .svg name."""
    fmt = out.suffix.lower().removeprefix(".")
    if fmt not in FORMATS:
        raise ConfigError(
            "--out must end in .png, .svg or .pdf (the suffix decides the format), "
            f"not {out.name!r}."
        )
    return fmt


def write_qr(link: str, out: Path) -> None:
    """The link as a QR code in the format of ``out``'s suffix, with its quiet zone."""
    import segno

    fmt = format_of(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    segno.make(link, error="m", micro=False).save(
        str(out), kind=fmt, scale=SCALE, border=QUIET_ZONE
    )


def modules(link: str) -> tuple[tuple[bool, ...], ...]:
    """The code's dark (True) and light modules, row by row, without the quiet zone."""
    import segno

    matrix = segno.make(link, error="m", micro=False).matrix
    return tuple(tuple(bool(module) for module in row) for row in matrix)


def poster(link: str, clinic_name: str, lines: Sequence[str]) -> Figure:
    """An A4 page: the clinic's name, the code as one vector shape, the lines, the link."""
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as Shape

    figure = Figure(figsize=A4)
    dark = modules(link)
    size = len(dark)
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for row, cells in enumerate(dark):
        y = size - row  # rows run down the page
        start = None
        for col, on in enumerate((*cells, False)):
            if on and start is None:
                start = col
            elif not on and start is not None:
                vertices += [(start, y), (col, y), (col, y - 1), (start, y - 1), (start, y)]
                codes += [Shape.MOVETO, Shape.LINETO, Shape.LINETO, Shape.LINETO, Shape.CLOSEPOLY]
                start = None
    # The code: 13 cm wide with its quiet zone, centred, as one filled shape (no seams).
    width = 13 / 2.54 / A4[0]
    ax = figure.add_axes((0.5 - width / 2, 0.3, width, width * A4[0] / A4[1]))
    ax.add_patch(PathPatch(Shape(vertices, codes), facecolor="black", edgecolor="none"))
    ax.set_xlim(-QUIET_ZONE, size + QUIET_ZONE)
    ax.set_ylim(-QUIET_ZONE, size + QUIET_ZONE)
    ax.set_aspect("equal")
    ax.axis("off")
    figure.text(0.5, 0.88, textwrap.fill(clinic_name, 26), ha="center", va="center",
                fontsize=34, weight="bold", linespacing=1.2)  # fmt: skip
    for number, line in enumerate(lines):
        figure.text(0.5, 0.23 - 0.075 * number, textwrap.fill(line, 52), ha="center",
                    va="center", fontsize=16, linespacing=1.3)  # fmt: skip
    figure.text(0.5, 0.06, link, ha="center", va="center", fontsize=11, color="#333333")
    return figure


def write_poster(figure: Figure, out: Path) -> None:
    fmt = format_of(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, format=fmt, dpi=POSTER_DPI)


def run(args: argparse.Namespace) -> int:
    lang = language(args.lang)
    format_of(args.out)  # a wrong suffix is refused before anything is made
    config = load_clinic_config(settings.clinic_config(args.clinic_config))
    if args.clinic not in config.clinics:
        raise ClinicConfigError(
            f"{args.clinic!r} is not a configured clinic; known codes: "
            + ", ".join(sorted(config.clinics))
        )
    link = deep_link(bot_username(args.bot_username), args.clinic)
    clinic = config.clinics[args.clinic]
    if args.poster:
        lines = [text(other, "qr.poster_line") for other in (lang, *LANGUAGES) if other]
        write_poster(poster(link, clinic.name[lang], list(dict.fromkeys(lines))), args.out)
    else:
        write_qr(link, args.out)
    print(link)  # alone on standard output, for scripts
    done = "qr.poster_done" if args.poster else "qr.done"
    print(text(lang, done, out=args.out, clinic=clinic.name[lang]), file=sys.stderr)
    return 0
