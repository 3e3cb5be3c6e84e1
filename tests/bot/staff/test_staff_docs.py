"""docs/staff.md's commands work as written: the demo database, and what stats prints from it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[3]
STAFF_DOC = ROOT / "docs" / "staff.md"
DEMO = "/tmp/demo"


def console_lines(doc: str, command: str) -> tuple[str, str]:
    """The documented command line starting with ``$ command`` and the line printed after it."""
    lines = doc.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"$ {command}"))
    return lines[index].removeprefix("$ "), lines[index + 1]


def test_the_demo_database_command_works_where_its_folder_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = STAFF_DOC.read_text(encoding="utf-8")
    command, printed = console_lines(doc, ".venv/bin/python -m tests.support.staff")
    folder = tmp_path / "not-yet" / "demo"  # neither folder exists: the command makes them
    args = shlex.split(command.replace(DEMO, str(folder)))
    assert args[:3] == [".venv/bin/python", "-m", "tests.support.staff"]
    result = subprocess.run(
        [sys.executable, *args[1:]], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert result.stdout.strip() == printed.replace(DEMO, str(folder))
    assert (folder / "intake.db").is_file()
    assert (folder / "clinics.toml").is_file()

    # The stats example in the same page is what this demo database gives (100 columns wide).
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["stats", "--db", str(folder / "intake.db")]) == 0
    out = capsys.readouterr().out
    example = doc[doc.index("$ intake stats\n") : doc.index("```", doc.index("$ intake stats\n"))]
    for line in example.splitlines()[2:]:
        if line.strip() and "…" not in line and not set(line.strip()) <= {"─"}:
            assert re.sub(r"\s+", " ", line.strip()) in re.sub(r"[ \t]+", " ", out), line
