"""The staff commands are registered, documented, and cost `intake chat` nothing at start-up."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli import COMMANDS, build_parser

STAFF_COMMANDS = ("stats", "export", "report", "review", "qr")
#: Loaded only when a staff command runs, never by building the command line.
HEAVY = ("matplotlib", "datasette", "datasette_auth_passwords", "uvicorn", "segno", "rich")


def test_every_staff_command_is_registered() -> None:
    for name in STAFF_COMMANDS:
        assert COMMANDS[name][0] == f"bot.staff.{name}"


@pytest.mark.parametrize("name", STAFF_COMMANDS)
def test_every_staff_command_takes_a_language(name: str) -> None:
    parser = build_parser()
    required = {
        "export": ["--out", "x"],
        "report": ["--out", "x"],
        "qr": ["--clinic", "bvc", "--out", "x"],
    }
    args = parser.parse_args([name, *required.get(name, []), "--lang", "sv"])
    assert args.lang == "sv"


STAFF_MODULES = (
    "bot.staff.stats", "bot.staff.export", "bot.staff.report", "bot.staff.review", "bot.staff.qr",
    "bot.staff.figures", "bot.staff.tables", "bot.staff.codebook", "bot.staff.accounts",
    "bot.staff.redcap",
    "bot.staff.review_site", "bot.health", "bot.backup",
)  # fmt: skip


def test_staff_tools_never_load_the_state_machine() -> None:
    """Constants come from flows' data modules: importing a staff tool builds no machine."""
    code = (
        f"import sys, importlib; [importlib.import_module(m) for m in {STAFF_MODULES!r}]; "
        "print(' '.join(m for m in ('transitions', 'flows.engine', 'telegram') "
        "if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == ""


def test_building_the_command_line_loads_no_heavy_library() -> None:
    code = (
        "import sys, bot.cli; bot.cli.build_parser(); "
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == ""
