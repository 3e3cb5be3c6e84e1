"""Imports point one way: flows is pure (no telegram, bot or storage)."""

from __future__ import annotations

import subprocess
import sys


def modules_loaded_by(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in result.stdout.split()}


def test_flows_imports_neither_telegram_nor_bot_nor_storage() -> None:
    loaded = modules_loaded_by(
        "import flows.engine, flows.record, flows.routing, flows.safety, flows.texts, flows.clinic"
    )
    assert "flows" in loaded
    assert not loaded & {"telegram", "bot", "storage", "sqlite_utils", "httpx"}
