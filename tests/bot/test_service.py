"""The one path from an input to storage: sessions, records, erasure, and what reaches the disk."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from bot.service import IntakeService
from flows.engine import Engine
from flows.model import Tap, Text
from tests.support import intake_script

PARENT_ID = 712345678
#: What the bot hands the service for this parent (`bot.tg_messages.names_of`).
NAMES = ("Kristina", "Lindqvist", "kristina_l", "@kristina_l", str(PARENT_ID))


@pytest.fixture
def service(tmp_path: Path) -> IntakeService:
    return IntakeService(storage.open_db(tmp_path / "intake.db"), Engine(), "k" * 32)


def play(service: IntakeService, script: list[tuple[str, str | None, str | None]]) -> None:
    question = ""
    for what, _, _ in script:
        pseudonym = service.pseudonym(PARENT_ID)
        conv = service.conversation(pseudonym)
        event = Tap(question, what[4:], conv.revision) if what.startswith("tap:") else Text(what)
        outcome = service.handle(PARENT_ID, event, names=NAMES)
        question = next((r.question for r in reversed(outcome.replies) if r.question), question)


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


def test_delete_erases_the_session_and_linked_intakes_and_says_what(service: IntakeService) -> None:
    play(service, intake_script())
    play(service, [("/delete", None, None)])
    outcome = service.handle(PARENT_ID, Text("yes"))
    keys = [reply.key for reply in outcome.replies]
    assert keys[-2:] == ["delete.done", "delete.report"]
    assert "1 completed intake" in outcome.replies[-1].text
    assert storage.intake_rows(service.db) == []
    assert storage.load_session(service.db, service.pseudonym(PARENT_ID)) is None
    assert not outcome.saved


def test_stop_forgets_the_unfinished_conversation(service: IntakeService) -> None:
    play(service, intake_script()[:6])
    outcome = service.handle(PARENT_ID, Text("/stop"))
    assert not outcome.saved
    assert storage.load_session(service.db, service.pseudonym(PARENT_ID)) is None


def test_declined_consent_stores_nothing_at_all(service: IntakeService) -> None:
    play(service, [("/start", None, None), ("tap:begin", None, None), ("tap:no", None, None)])
    assert storage.load_session(service.db, service.pseudonym(PARENT_ID)) is None
    assert storage.intake_rows(service.db) == []
    assert service.db["progress"].count == 0
