"""The `intake` command: one program, one subcommand per job.

Each subcommand lives in its own module with ``add_arguments(parser)`` and ``run(args) -> int``;
modules import their heavy dependencies inside ``run`` so that ``intake chat`` starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dotenv import load_dotenv

from bot.settings import ConfigError
from flows.clinic import ClinicConfigError

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "chat": ("bot.chat", "the intake conversation in this terminal (no Telegram token needed)"),
    "bot": ("bot.telegram_bot", "the Telegram bot: long polling, or a webhook with --webhook"),
    "diagram": ("bot.docs", "print the conversation's state diagram (mermaid)"),
    "docs": (
        "bot.docs",
        "write or check docs/flow.md: the diagram and every message, both languages",
    ),
    "purge": ("bot.purge", "apply retention now: idle sessions, expired links, old intakes"),
    "health": ("bot.health", "one line: does the database pass its check, is the bot beating"),
    "backup": ("bot.backup", "a consistent, checked copy of the live database, or restore one"),
    "stats": ("bot.staff.stats", "staff: intake figures for a period and clinic, in the terminal"),
    "export": (
        "bot.staff.export",
        "staff: intake records as CSV, JSON or REDCap files, with their codebook",
    ),
    "report": ("bot.staff.report", "staff: a self-contained HTML report with weekly charts"),
    "review": ("bot.staff.review", "staff: browse intakes in Datasette, read-only, with a login"),
    "qr": ("bot.staff.qr", "staff: a QR code (PNG, SVG or PDF) of the bot's link, or an A4 poster"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="intake",
        description="A gentle intake assistant for infant mental health care (MIP or CHC).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.set_defaults(run=getattr(module, f"run_{name}", None) or module.run)
        (getattr(module, f"add_{name}_arguments", None) or module.add_arguments)(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `intake` console script."""
    load_dotenv(".env")
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (ConfigError, ClinicConfigError) as error:
        print(f"intake {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
