"""`intake purge`: apply retention now (the bot also does it daily) and report what went."""

from __future__ import annotations

import argparse
from dataclasses import asdict

import storage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="SQLite database (default: INTAKE_DB or data/intake.db)")


def run(args: argparse.Namespace) -> int:
    settings = storage.RetentionSettings.from_env()
    report = storage.purge(storage.open_db(args.db), **asdict(settings))
    print(
        f"purged {report.sessions} idle session(s) (idle > {settings.session_idle_days} days), "
        f"{report.links} expired link(s) (kept {settings.link_days} days), "
        f"{report.intakes} intake(s) older than {settings.intake_months} months"
    )
    return 0
