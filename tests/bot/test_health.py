"""`intake health`: one line and exit 0 when all is well; one line and exit 1 for each fault."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.health import HEARTBEAT_SECONDS, STALE_SECONDS, beat, heartbeat_path
from tests.support import BotHarness, start_bot


def health(db_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    code = main(["health", "--db", str(db_path), *extra])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, out  # one line, whatever happened
    return code, out.strip()


def test_healthy_when_the_database_checks_and_the_bot_beats(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage.open_db(db_path).close()
    beat(heartbeat_path(db_path))
    code, line = health(db_path, capsys)
    assert code == 0
    assert line.startswith("healthy: the database passes its quick check; the bot beat")


def test_no_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, line = health(tmp_path / "missing.db", capsys)
    assert code == 1
    assert line == f"unhealthy: there is no database at {tmp_path / 'missing.db'}"


def test_a_damaged_database(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage.open_db(db_path).close()
    beat(heartbeat_path(db_path))
    with db_path.open("r+b") as file:  # overwrite the second page onwards with junk
        file.seek(4096)
        file.write(b"\xff" * 8192)
    code, line = health(db_path, capsys)
    assert code == 1
    assert line.startswith("unhealthy: the database")
    db_path.write_bytes(b"not a database at all, just text")
    code, line = health(db_path, capsys)
    assert code == 1
    assert "cannot be read as a database" in line


def test_no_heartbeat_yet(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage.open_db(db_path).close()
    code, line = health(db_path, capsys)
    assert code == 1
    assert "the bot has written no heartbeat" in line


def test_a_stale_heartbeat(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage.open_db(db_path).close()
    beat(heartbeat_path(db_path))
    old = time.time() - STALE_SECONDS - 30
    os.utime(heartbeat_path(db_path), (old, old))
    code, line = health(db_path, capsys)
    assert code == 1
    assert "it is stopped or stuck" in line
    assert health(db_path, capsys, "--max-age", "3600")[0] == 0


async def test_the_bot_beats_from_start_to_stop(tmp_path: Path) -> None:
    """A heartbeat as soon as the bot has started; none once it has stopped cleanly."""
    async with start_bot(tmp_path) as bot:
        assert main(["health", "--db", str(bot.db_path)]) == 0
    assert not heartbeat_path(bot.db_path).exists()
    assert main(["health", "--db", str(bot.db_path)]) == 1


async def test_the_running_bot_beats(running_bot: BotHarness) -> None:
    """The bot's job renews the heartbeat every 30 s; the file is empty, the database untouched."""
    (job,) = running_bot.app.job_queue.get_jobs_by_name("heartbeat")
    assert job.job.trigger.interval.total_seconds() == HEARTBEAT_SECONDS
    path = heartbeat_path(running_bot.db_path)
    await job.run(running_bot.app)
    assert path.stat().st_size == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert main(["health", "--db", str(running_bot.db_path)]) == 0
