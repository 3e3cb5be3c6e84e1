"""`intake backup`: a consistent copy while parents chat; restored, the bot resumes them."""

from __future__ import annotations

import asyncio
import sqlite3
import stat
from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.health import beat, heartbeat_path
from tests.support import start_bot
from tests.support.parent import Parent

#: Taps that take a parent from /start to the baby's first signal question.
TO_BABY_REACTS = ("begin", "yes", "mother", "6_12m")


async def walk(parent: Parent, codes: tuple[str, ...]) -> None:
    for code in codes:
        await parent.tap_code(code)


def check_backup_file(path: Path) -> None:
    """Readable by its owner only, one self-contained file, whole."""
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not Path(f"{path}-wal").exists()
    with sqlite3.connect(path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)


async def test_back_up_while_parents_chat_restore_and_the_bot_resumes_them(
    tmp_path: Path,
) -> None:
    backup_file = tmp_path / "backups" / "intake-backup.db"
    async with start_bot(tmp_path) as bot:
        waiting = bot.parent()
        await waiting.send("/start")
        await walk(waiting, TO_BABY_REACTS)  # paused at baby_reacts
        chatting = [bot.parent() for _ in range(3)]
        for parent in chatting:
            await parent.send("/start")
            # Consented, so stored from here on (nothing is stored before consent).
            await walk(parent, TO_BABY_REACTS[:2])

        async def chat() -> None:
            for parent in chatting:
                await walk(parent, (*TO_BABY_REACTS[2:], "often", "often"))

        command = ["backup", "--db", str(bot.db_path), "--out", str(backup_file)]
        code, _ = await asyncio.gather(asyncio.to_thread(main, command), chat())
        assert code == 0
        latest = {p.user_id: bot.saved(p) for p in (waiting, *chatting)}
        await walk(waiting, ("often", "often"))  # after the backup: lost when it is restored
        assert bot.saved(waiting).state == "baby_withdrawn"  # type: ignore[union-attr]
        ids = [p.user_id for p in (waiting, *chatting)]

    check_backup_file(backup_file)
    assert main(["backup", "--db", str(bot.db_path), "--restore", str(backup_file)]) == 0
    async with start_bot(tmp_path) as restarted:
        again = [restarted.parent(user_id=user_id) for user_id in ids]
        restored = restarted.saved(again[0])
        assert restored is not None
        assert restored.state == "baby_reacts"  # where the backup found the waiting parent
        for parent in again:
            before = restarted.saved(parent)
            assert before is not None
            # The backup holds each conversation as it stood at one moment while it chatted:
            # a beginning of what it had answered by the end, never a mixture.
            final = latest[parent.user_id].answers.items()  # type: ignore[union-attr]
            assert before.answers.items() <= final
            await parent.send("1")  # types the first option: an answer to where they stood
            after = restarted.saved(parent)
            assert after is not None
            assert after.state != before.state  # went on from there, kept what they had said
            assert after.answers.items() >= before.answers.items()


def test_a_restore_is_refused_while_the_bot_beats(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage.open_db(db_path).close()
    assert main(["backup", "--db", str(db_path), "--out", str(tmp_path / "b.db")]) == 0
    beat(heartbeat_path(db_path))
    assert main(["backup", "--db", str(db_path), "--restore", str(tmp_path / "b.db")]) == 2
    assert "stop it first" in capsys.readouterr().err


def test_a_damaged_backup_is_never_restored(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    storage.open_db(db_path).close()
    before = db_path.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    assert main(["backup", "--db", str(db_path), "--restore", str(junk)]) == 1
    assert "intake backup:" in capsys.readouterr().out
    assert db_path.read_bytes() == before


def test_no_database_to_back_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backup", "--db", str(tmp_path / "none.db"), "--out", str(tmp_path / "b")]) == 1
    assert "there is no database at" in capsys.readouterr().out
    assert not (tmp_path / "b").exists()
