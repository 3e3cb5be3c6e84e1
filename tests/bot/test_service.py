"""The one path from an input to storage: sessions, records, erasure, and what reaches the disk."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

import storage
from bot.cli import main
from bot.service import IntakeService, Outcome, TransientConversations
from flows.engine import Engine
from flows.model import Conversation, Reply, Tap, Text
from tests.support import intake_script, raw_bytes, until

PARENT_ID = 712345678
#: What the bot hands the service for this parent (`bot.tg_messages.names_of`).
NAMES = ("Kristina", "Lindqvist", "kristina_l", "@kristina_l", str(PARENT_ID))


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "intake.db"


@pytest.fixture
def service(db_file: Path) -> IntakeService:
    return IntakeService(storage.open_db(db_file), Engine(), "k" * 32)


def play(
    service: IntakeService, script: list[tuple[str, str | None, str | None]], **options: Any
) -> Outcome:
    """Each line's input in turn: ``tap:<code>`` taps the button on the current screen."""
    outcome = None
    for what, _, _ in script:
        outcome = service.handle(PARENT_ID, input_for(service, what), names=NAMES, **options)
    assert outcome is not None
    return outcome


def input_for(service: IntakeService, what: str) -> Tap | Text:
    """The script line's input: a tap on the current screen's button, or the text."""
    conv = service.conversation(service.pseudonym(PARENT_ID))
    screen = f"pending.{conv.pending}" if conv.pending else conv.state
    return Tap(screen, what[4:], conv.revision) if what.startswith("tap:") else Text(what)


def render(replies: Sequence[Reply], revision: int) -> list[dict[str, Any]]:
    """Messages as plain data, as the bot's renderer makes them (the outbox holds them)."""
    return [{"text": reply.text, "revision": revision} for reply in replies]


def on_disk(service: IntakeService, db_file: Path) -> bool:
    """Whether anything under the parent's pseudonym is in the database, its WAL or SHM."""
    return service.pseudonym(PARENT_ID).encode() in raw_bytes(db_file)


def test_free_text_is_scrubbed_before_the_session_is_saved(service: IntakeService) -> None:
    text = "Kristina here (kristina_l on Instagram), call 070-123 45 67 or kristina@example.se"
    play(service, intake_script(free_text=text)[:-1])
    saved = storage.load_session(service.db, service.pseudonym(PARENT_ID))
    assert saved is not None
    for detail in ("070", "Kristina", "kristina_l", "example.se"):
        assert detail not in saved
    assert "[phone]" in saved


def test_the_intake_record_is_scrubbed_with_every_identifier_too(service: IntakeService) -> None:
    text = "Lindqvists bebis. Skriv till kristina_l eller @kristina_l."
    play(service, intake_script(free_text=text))
    (row,) = storage.intake_rows(service.db)
    stored = str(row["free_text"])
    assert "bebis. Skriv till [" in stored
    for detail in ("Lindqvist", "kristina_l"):
        assert detail not in stored


def test_a_completed_intake_is_recorded_once_and_progress_counted(service: IntakeService) -> None:
    play(service, intake_script("affected", "advice"))
    rows = storage.intake_rows(service.db)
    assert len(rows) == 1
    assert rows[0]["suggestion"] == "mip_with_guidance"
    counts = {row["question"]: row["count"] for row in service.db["progress"].rows}
    assert counts["role"] == 1  # started: consent given
    assert counts["done"] == 1


def test_delete_erases_the_session_and_linked_intakes_and_says_what(
    service: IntakeService, db_file: Path
) -> None:
    play(service, intake_script())
    play(service, [("/delete", None, None)])
    outcome = service.handle(PARENT_ID, Text("yes"))
    keys = [reply.key for reply in outcome.replies]
    assert keys[-2:] == ["delete.done", "delete.report"]
    said = "What I deleted: 0 unfinished chats and the answers of 1 finished chat."
    assert outcome.replies[-1].text == said
    assert storage.intake_rows(service.db) == []
    assert not outcome.saved
    assert not on_disk(service, db_file)
    assert service.transient.get(service.pseudonym(PARENT_ID)) is None  # nor in memory


def test_a_step_is_one_transaction_without_savepoints(service: IntakeService) -> None:
    """Every storage call of a step joins the step's one transaction: a savepoint for each
    would cost two more statements and a random name, for a rollback nothing ever asks for."""
    script = intake_script()
    outcome = play(service, script[:3], render=render)  # consent given: now every tap writes
    steps: list[list[str]] = []
    for what, _, _ in script[3:]:
        event = input_for(service, what)
        # The reply before was delivered, as the bot says with the next step.
        delivered = [outcome.pseudonym]
        statements: list[str] = []
        service.db.conn.set_trace_callback(statements.append)
        try:
            outcome = service.handle(PARENT_ID, event, render=render, delivered=delivered)
        finally:
            service.db.conn.set_trace_callback(None)
        steps.append([statement.split()[0] for statement in statements])
    assert outcome.conversation.state == "done"
    for verbs in steps:
        assert "SAVEPOINT" not in verbs
        assert "RELEASE" not in verbs
        assert verbs.count("BEGIN") == verbs.count("COMMIT") == 1
        assert verbs[-1] == "COMMIT"
        assert len(verbs) <= 8
    # A question: the session read; the progress counted, the session and the reply kept.
    assert steps[0] == ["SELECT", "BEGIN", "INSERT", "INSERT", "INSERT", "COMMIT"]
    # The last: the progress, the intake and its link, the session gone, the reply kept.
    assert steps[-1][2:-1] == ["INSERT", "INSERT", "INSERT", "DELETE", "INSERT"]


def test_stop_forgets_the_unfinished_conversation(service: IntakeService, db_file: Path) -> None:
    play(service, until(intake_script(free_text="Zebrafinken"), "summary"))
    outcome = service.handle(PARENT_ID, Text("/stop"))
    assert not outcome.saved
    assert not on_disk(service, db_file)
    assert b"Zebrafinken" not in raw_bytes(db_file)
    assert service.conversation(service.pseudonym(PARENT_ID)).state == "stopped"


def test_declined_consent_leaves_nothing_at_all(service: IntakeService, db_file: Path) -> None:
    play(service, [("/start", None, None), ("tap:begin", None, None), ("tap:no", None, None)])
    assert storage.intake_rows(service.db) == []
    assert service.db["sessions"].count == 0
    assert service.db["progress"].count == 0
    assert not on_disk(service, db_file)


# ---- where a conversation is kept: memory before consent and after the end, disk between


def test_before_consent_nothing_is_written_under_a_pseudonym(
    service: IntakeService, db_file: Path
) -> None:
    script = [("/start", None, None), ("/help", None, None), ("tap:begin", None, None)]
    outcome = play(service, [*script, ("tap:privacy", None, None), ("/language", None, None)])
    assert outcome.conversation.state == "consent"
    assert not outcome.saved
    assert service.db["sessions"].count == 0
    assert not on_disk(service, db_file)

    outcome = play(service, [("tap:en", None, None), ("tap:yes", None, None)])
    assert outcome.saved
    assert on_disk(service, db_file)
    assert len(service.transient) == 0  # never in both places


def test_a_completed_intake_leaves_no_session_and_its_words_only_in_the_intake(
    service: IntakeService, db_file: Path
) -> None:
    words = "Zebrafinken sjunger om natten"
    outcome = play(service, intake_script(free_text=words, safety="yes_unwanted"))
    assert outcome.conversation.state == "done"
    assert not outcome.saved
    assert service.db["sessions"].count == 0
    (row,) = storage.intake_rows(service.db)
    assert row["safety_level"] == "unwanted_thoughts"
    assert service.purge().flushed  # the daily purge empties the log of the session's copies
    assert raw_bytes(db_file).count(words.encode()) == 1  # the intake's row, and nowhere else

    held = service.transient.get(service.pseudonym(PARENT_ID))
    assert held is not None
    assert (held.state, held.answers, held.safety, held.history) == ("done", {}, "none", [])
    again = play(service, [("tap:restart", None, None)])  # the last screen still works
    assert [reply.key for reply in again.replies] == ["restarted", "prompt.welcome"]
    assert not again.saved


def test_once_intake_purge_expires_the_links_no_byte_ties_an_intake_to_a_pseudonym(
    service: IntakeService,
    db_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = "Zebrafinken sjunger om natten"
    play(service, intake_script(free_text=words))
    play(service, [("/start", None, None), ("/help", None, None)])  # back some days later
    assert on_disk(service, db_file)  # the link, so the parent can still delete
    monkeypatch.setenv("INTAKE_LINK_DAYS", "0")
    assert main(["purge", "--db", str(db_file), "--wait", "0"]) == 0
    assert "1 expired link(s)" in capsys.readouterr().out

    stored = raw_bytes(db_file)
    pseudonym = service.pseudonym(PARENT_ID)
    assert pseudonym.encode() not in stored
    assert bytes.fromhex(pseudonym) not in stored
    assert stored.count(words.encode()) == 1  # the anonymous intake, matched to nothing
    assert [row["free_text"] for row in storage.intake_rows(service.db)] == [words]


def test_a_wal_held_by_a_reader_is_emptied_at_the_next_input_too(
    service: IntakeService, db_file: Path
) -> None:
    """What the terminal chat relies on; the bot also retries in the background."""
    play(service, intake_script(free_text="Zebrafinken"))
    backup = sqlite3.connect(db_file)
    backup.execute("BEGIN")
    backup.execute("SELECT count(*) FROM intakes").fetchone()
    play(service, [("/delete", None, None), ("tap:yes", None, None)])
    assert service.wal_pending
    assert b"Zebrafinken" in raw_bytes(db_file)
    backup.rollback()
    backup.close()
    play(service, [("/start", None, None)])
    assert not service.wal_pending
    assert b"Zebrafinken" not in raw_bytes(db_file)


def test_going_back_to_the_consent_screen_keeps_the_answers_across_a_restart(
    service: IntakeService, db_file: Path
) -> None:
    play(service, intake_script()[:5])  # role and age answered
    outcome = play(service, [("/back", None, None)] * 3)
    assert outcome.conversation.state == "consent"
    assert outcome.saved
    restarted = IntakeService(storage.open_db(db_file), Engine(), "k" * 32)
    kept = restarted.conversation(restarted.pseudonym(PARENT_ID))
    assert kept.answers == {"role": "mother", "age_band": "6_12m"}


def test_restart_mid_way_deletes_the_saved_answers(service: IntakeService, db_file: Path) -> None:
    play(service, until(intake_script(free_text="Zebrafinken"), "summary"))
    outcome = play(service, [("/restart", None, None)])
    assert outcome.conversation.state == "welcome"
    assert not outcome.saved
    assert not on_disk(service, db_file)
    assert b"Zebrafinken" not in raw_bytes(db_file)


def test_after_a_restart_before_consent_the_parent_starts_again(db_file: Path) -> None:
    service = IntakeService(storage.open_db(db_file), Engine(), "k" * 32)
    revision = play(service, intake_script()[:2]).conversation.revision  # the consent screen
    restarted = IntakeService(storage.open_db(db_file), Engine(), "k" * 32)
    outcome = restarted.handle(PARENT_ID, Tap("consent", "yes", revision))
    assert [reply.key for reply in outcome.replies] == ["stale", "prompt.welcome"]
    assert restarted.db["sessions"].count == 0


def test_memory_before_consent_is_bounded_in_number_and_in_time() -> None:
    now = 0.0
    held = TransientConversations(size=3, ttl=10, clock=lambda: now)
    parent = [storage.pseudonym_for(number, "k" * 32) for number in range(5)]
    for number in range(5):
        held.hold(parent[number], Conversation(state="consent"))
    assert len(held) == 3
    assert held.get(parent[1]) is None  # the least recently stepped went first
    now = 9.0
    held.hold(parent[2], Conversation(state="welcome"))  # stepped again: kept longer
    now = 10.0
    assert held.get(parent[3]) is None
    assert held.get(parent[4]) is None
    assert len(held) == 1
    assert held.get(parent[2]) == Conversation(state="welcome")
    now = 19.0
    assert held.get(parent[2]) is None
    assert len(held) == 0


def test_an_ended_conversation_is_held_as_its_screen_only() -> None:
    held = TransientConversations()
    pseudonym = storage.pseudonym_for(1, "k" * 32)
    ended = Conversation(
        state="done",
        lang="sv",
        clinic="demo",
        revision=19,
        pending="delete",
        answers={"role": "mother"},
        history=["role"],
        safety="danger",
    )
    held.hold(pseudonym, ended)
    screen = held.get(pseudonym)
    assert screen == Conversation(
        state="done", lang="sv", clinic="demo", revision=19, pending="delete"
    )


# ---- rotating the pseudonymisation key

OLD_KEY, NEW_KEY = "o" * 32, "n" * 32


def rotated(db_file: Path) -> IntakeService:
    """The service after INTAKE_SECRET changed, with the former key as the previous one."""
    return IntakeService(storage.open_db(db_file), Engine(), NEW_KEY, previous_secret=OLD_KEY)


def test_after_a_rotation_an_unfinished_parent_goes_on_and_moves_to_the_new_key(
    db_file: Path,
) -> None:
    before = IntakeService(storage.open_db(db_file), Engine(), OLD_KEY)
    play(before, intake_script()[:5])  # role and age answered under the old key
    service = rotated(db_file)
    assert service.keys_report() == (1, 0)
    resumed = service.handle(PARENT_ID, Text("/start"))  # the parent's first message since
    assert [reply.key for reply in resumed.replies] == ["resume", "q.baby_reacts"]
    outcome = play(service, intake_script()[5:6])
    assert outcome.conversation.answers["baby_reacts"] == "often"
    assert outcome.conversation.answers["age_band"] == "6_12m"  # nothing was lost
    assert service.keys_report() == (0, 0)
    service.flush_wal()
    old = storage.pseudonym_for(PARENT_ID, OLD_KEY).encode()
    assert old not in raw_bytes(db_file)


def test_delete_after_a_rotation_reaches_what_the_old_key_made(db_file: Path) -> None:
    before = IntakeService(storage.open_db(db_file), Engine(), OLD_KEY)
    play(before, intake_script())  # completed: an intake linked under the old key
    service = rotated(db_file)
    assert service.keys_report() == (0, 1)
    play(service, [("/delete", None, None)])
    outcome = service.handle(PARENT_ID, Text("yes"))
    assert "the answers of 1 finished chat" in outcome.replies[-1].text
    assert storage.intake_rows(service.db) == []
    for key in (OLD_KEY, NEW_KEY):
        assert storage.pseudonym_for(PARENT_ID, key).encode() not in raw_bytes(db_file)


def test_without_the_previous_key_a_rotation_is_reported_not_silent(
    db_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = IntakeService(storage.open_db(db_file), Engine(), OLD_KEY)
    play(before, intake_script()[:5])
    service = IntakeService(storage.open_db(db_file), Engine(), NEW_KEY)
    assert service.keys_report() == (1, 0)  # counted at start, and warned about by the bot
    monkeypatch.setenv("INTAKE_SECRET", NEW_KEY)
    assert main(["purge", "--db", str(db_file), "--wait", "0"]) == 0
    assert "1 unfinished conversation(s) and 0 link(s) still use a previous key" in (
        capsys.readouterr().out
    )


def test_rows_from_before_key_fingerprints_are_stamped_with_the_current_key(
    db_file: Path,
) -> None:
    service = IntakeService(storage.open_db(db_file), Engine(), OLD_KEY)
    play(service, intake_script()[:5])
    with service.db.atomic():
        service.db.execute("UPDATE sessions SET key = ''")  # as migration 2 leaves old rows
    again = IntakeService(storage.open_db(db_file), Engine(), OLD_KEY)
    assert again.keys_report() == (0, 0)
