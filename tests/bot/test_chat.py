"""`intake chat` in a terminal, driven by a script on standard input."""

from __future__ import annotations

import io
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import storage
from bot.chat import LOCAL_USER, chat, format_reply, open_service
from flows.model import Conversation, Option, Reply
from tests.support import raw_bytes

INTAKE = [
    "1",  # let's begin
    "yes",
    "I'm the father",
    "6–12 months",
    "often",
    "sometimes",
    "rarely",
    "sleep",
    "1",  # to understand
    "no",  # not alone with it
    "mostly ok",
    "no",
    "We moved recently. Call me on 070-123 45 67",
    "1",  # that's right
]


def run_chat(
    args: list[str], lines: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


def test_options_are_numbered_from_one() -> None:
    reply = Reply("k", "Question?", (Option("a", "First"), Option("b", "Second")))
    assert format_reply(reply) == "Question?\n  1) First\n  2) Second"


def test_a_whole_intake_in_the_terminal_is_recorded_anonymised(tmp_path: Path) -> None:
    db_path = tmp_path / "intake.db"
    result = run_chat(["--lang", "en"], INTAKE, {"INTAKE_DB": str(db_path)})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Hello, and welcome" in out
    assert "  1) Let's begin" in out
    assert "The research behind this chat studied mothers" in out
    assert "mother-infant psychoanalytic treatment (MIP) may suit" in out
    rows = (
        sqlite3.connect(db_path)
        .execute("SELECT role, suggestion, free_text FROM intakes")
        .fetchall()
    )
    assert rows == [("father", "mip", "We moved recently. Call me on [phone]")]


def test_swedish_chat_and_crisis_first(tmp_path: Path) -> None:
    result = run_chat(
        ["--lang", "sv", "--no-store"],
        ["1", "jag orkar inte mer"],
        {"INTAKE_DB": str(tmp_path / "x.db")},
    )
    assert result.returncode == 0, result.stderr
    crisis_at = result.stdout.index("Tack för att du berättar")
    assert "112" in result.stdout[crisis_at:]
    assert "90101" in result.stdout[crisis_at:]
    assert not (tmp_path / "x.db").exists()


def test_the_chat_resumes_where_it_stopped(tmp_path: Path) -> None:
    env = {"INTAKE_DB": str(tmp_path / "intake.db")}
    first = run_chat(["--lang", "en"], INTAKE[:5], env)
    assert first.returncode == 0, first.stderr
    second = run_chat(["--lang", "en"], [], env)
    assert "Welcome back" in second.stdout
    assert "sad, distressed or hard to comfort" in second.stdout  # the next question, not the first


@pytest.mark.usefixtures("umask_022")
def test_the_chat_stores_nothing_before_consent_and_then_for_its_owner_only(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "data" / "intake.db"
    service = open_service(str(db_path), store=True)
    pseudonym = service.pseudonym(LOCAL_USER)
    stdout = io.StringIO()
    assert chat(service, "en", io.StringIO("/help\n1\n"), stdout) == 0  # to the consent screen
    assert "/back: go back one question" in stdout.getvalue()
    assert service.db["sessions"].count == 0
    assert pseudonym.encode() not in raw_bytes(db_path)

    assert chat(service, "en", io.StringIO("yes\nI'm the father\n"), stdout) == 0
    saved = storage.load_session(service.db, pseudonym)
    assert saved is not None
    assert Conversation.from_json(saved).state == "age_band"
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    for name in ("intake.db", "intake.db-wal", "intake.db-shm", ".intake-secret"):
        assert stat.S_IMODE((db_path.parent / name).stat().st_mode) == 0o600, name


def test_the_safe_check_in_the_terminal_waits_and_survives_a_restart(tmp_path: Path) -> None:
    env = {"INTAKE_DB": str(tmp_path / "intake.db")}
    first = run_chat(["--lang", "en"], ["1", "yes", "I want to die", "2"], env)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    after = out[out.index("Thank you for telling me") :]
    assert "Are you safe right now?" in after
    options = ("I'm safe, let's go on", "Show me the numbers again", "Let's pause for now")
    assert "\n".join(f"  {n}) {label}" for n, label in enumerate(options, 1)) in after
    assert "Who is chatting with me today?" not in after  # no question until they choose
    assert after.count("90101") == 2  # "2": the numbers again
    second = run_chat(["--lang", "en"], ["1"], env)
    assert second.returncode == 0, second.stderr
    resumed = second.stdout
    went_on = resumed.index("Let's go on, one step")
    assert resumed.index("Are you safe right now?") < went_on
    assert "Who is chatting with me today?" in resumed[went_on:]


def test_new_starts_over_in_the_language_asked_for(tmp_path: Path) -> None:
    env = {"INTAKE_DB": str(tmp_path / "intake.db")}
    first = run_chat(["--lang", "en"], INTAKE[:5], env)  # an English conversation, saved
    assert first.returncode == 0, first.stderr
    again = run_chat(["--lang", "sv", "--new"], ["1"], env)
    assert again.returncode == 0, again.stderr
    assert "Hej och välkommen" in again.stdout
    assert "Innan vi börjar" in again.stdout  # and it goes on in Swedish
    assert "Hello, and welcome" not in again.stdout


@pytest.mark.parametrize(
    "lines",
    [
        ["/sprak sv", "1", "nej", "/start"],  # switched to Swedish, then declined
        ["1", "yes", "/sprak sv", "ja", "/radera", "ja", "/start"],  # then erased everything
    ],
)
def test_the_chat_keeps_the_language_after_nothing_is_kept(lines: list[str]) -> None:
    service = open_service(None, store=False)
    stdout = io.StringIO()
    assert chat(service, "en", io.StringIO("\n".join(lines) + "\n"), stdout) == 0
    last = stdout.getvalue().rsplit("Hej och välkommen", 1)
    assert len(last) == 2, "the welcome after /start is Swedish"
    assert "Hello, and welcome" not in last[1]
