"""Fixtures every room's tests use: a fresh database, a permissive umask."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database

import storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives (its folder is made by `open_db`)."""
    return tmp_path / "data" / "intake.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A freshly migrated intake database, closed after the test."""
    with storage.open_db(db_path) as database:
        yield database


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The common default umask, under which new files are readable by everyone."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)
