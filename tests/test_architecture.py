"""Imports point one way: flows is pure (no telegram, bot or storage), a constant another
room needs never loads the state machine, and each file of flows holds one idea."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: What loading the conversation's machine brings in.
MACHINE = {"transitions", "flows.machine", "flows.engine", "flows.moves"}


def modules_loaded_by(statement: str) -> set[str]:
    """Every module a fresh interpreter has loaded after ``statement``, by its full name."""
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_flows_imports_neither_telegram_nor_bot_nor_storage() -> None:
    loaded = top_level(
        modules_loaded_by(
            "import flows.engine, flows.record, flows.routing, flows.safety, flows.texts, "
            "flows.clinic"
        )
    )
    assert "flows" in loaded
    assert not loaded & {"telegram", "bot", "storage", "sqlite_utils", "httpx"}


#: The conversation as data: importing any of these never loads the machine.
DATA_MODULES = (
    "flows.model",
    "flows.questions",
    "flows.screens",
    "flows.branches",
    "flows.notes",
    "flows.parsing",
    "flows.matching",
    "flows.record",
    "flows.routing",
    "flows.texts",
    "flows.clinic",
)


@pytest.mark.parametrize("module", DATA_MODULES)
def test_data_modules_never_load_the_machine(module: str) -> None:
    assert not modules_loaded_by(f"import {module}") & MACHINE


def staff_modules() -> list[str]:
    return [f"bot.staff.{m.name}" for m in pkgutil.iter_modules([str(REPO / "bot" / "staff")])]


@pytest.mark.parametrize("module", ["bot.tg_messages", "storage", *staff_modules()])
def test_the_bots_messages_the_staff_tools_and_storage_never_load_the_machine(module: str) -> None:
    assert not modules_loaded_by(f"import {module}") & MACHINE


#: About 250 lines is one idea (STYLE.md, "One file, one idea"); the margin keeps a small fix
#: from forcing a split, not a file from growing back.
MAX_LINES = 260


def test_no_file_of_flows_is_longer_than_one_idea() -> None:
    lines = {
        path.relative_to(REPO).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in (REPO / "flows").rglob("*.py")
    }
    assert len(lines) > 20  # the files were found
    too_long = {path: n for path, n in lines.items() if n > MAX_LINES}
    assert not too_long, f"split these by idea: {too_long}"
