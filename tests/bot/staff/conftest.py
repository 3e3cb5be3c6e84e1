"""Fixtures of the staff tools' tests: a database filled by playing real conversations."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.staff import STANDARD, fill


@pytest.fixture(scope="module")
def standard_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard database, built once per test module."""
    return fill(tmp_path_factory.mktemp("staff") / "intake.db", STANDARD, declined=1)
