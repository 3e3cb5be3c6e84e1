"""Whole conversations through the real bot, in process, over the fake Bot API.

The scripts are the engine's own (tests/support/scripts.py): each line is played once against
the pure engine and once through the bot, and the bot must show exactly what the engine said,
as Telegram messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.events import EVENT_JOB_REMOVED, JobEvent

from flows.texts import render
from tests.support import (
    EXPECTED_SUGGESTION,
    BotHarness,
    Line,
    intake_script,
    keyboards,
    play_beside_the_engine,
    raw_bytes,
    start_bot,
    until,
)


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(
    ("baby", "wish"), [("affected", "understand"), ("not_affected", "advice"), ("unclear", "mixed")]
)
async def test_a_whole_intake_through_the_bot_is_what_the_engine_says(
    running_bot: BotHarness, lang: str, baby: str, wish: str
) -> None:
    parent = running_bot.parent(language_code=lang)
    await play_beside_the_engine(running_bot, parent, intake_script(baby, wish), lang)
    rows = running_bot.intakes()
    assert [row["suggestion"] for row in rows] == [EXPECTED_SUGGESTION[(baby, wish)]]
    assert rows[0]["lang"] == lang
    assert all(running_bot.api.queries.values()), "every callback query is answered"


async def test_typed_answers_work_as_in_the_engine(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    script: list[Line] = [
        ("hello", "prompt.welcome", "welcome"),
        ("1", "prompt.consent", "consent"),
        ("yes", "q.role", "role"),
        ("I'm the father", "research.fathers", "age_band"),
        ("something else entirely", "reask", "age_band"),
        ("/back", "q.role", "role"),
        ("/hjalp", "help", "role"),
    ]
    await play_beside_the_engine(running_bot, parent, script, "en")


async def test_telegram_language_decides_a_new_conversation(running_bot: BotHarness) -> None:
    swedish = running_bot.parent(language_code="sv-SE")
    german = running_bot.parent(language_code="de")
    unknown = running_bot.parent(language_code=None)
    await swedish.send("/start")
    await german.send("/start")
    await unknown.send("/start")
    assert swedish.last_text.startswith("Hej och välkommen")
    assert german.last_text.startswith("Hello, and welcome")
    assert unknown.last_text.startswith("Hello, and welcome")


async def test_the_language_can_be_changed_at_any_time(running_bot: BotHarness) -> None:
    parent = running_bot.parent(language_code="en")
    await parent.send("/start")
    await parent.tap("Let's begin")
    await parent.tap("Yes, that's fine")
    await parent.send("/language")
    new = await parent.tap("Svenska")
    assert new[-1]["text"].endswith(render("sv", "q.role"))
    assert running_bot.saved(parent).lang == "sv"
    await parent.send("/sprak en")
    assert parent.last_text.endswith(render("en", "q.role"))


@pytest.mark.parametrize(
    ("lang", "words", "level"),
    [
        ("en", "I want to die", "danger"),
        ("sv", "jag har tvångstankar", "unwanted_thoughts"),
    ],
)
async def test_a_crisis_is_answered_first_and_alone(
    running_bot: BotHarness, lang: str, words: str, level: str
) -> None:
    parent = running_bot.parent(language_code=lang)
    await parent.send("/start")
    await parent.tap_code("begin")
    await parent.tap_code("yes")
    await parent.tap_code("mother")
    new = await parent.send(words)
    values = running_bot.intake_bot.service.engine.clinics.values(lang, "")
    assert new[0]["text"] == render(lang, f"crisis.{level}", **values)
    assert "reply_markup" not in new[0]
    # After a danger-level reply the bot asks whether the parent is safe before going on.
    then = "safe_check" if level == "danger" else "q.age_band"
    assert new[-1]["text"].endswith(render(lang, then))
    assert running_bot.saved(parent).safety == level


async def test_a_tapped_question_shows_the_answer_and_loses_its_keyboard(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.send("/start")
    await parent.tap("Let's begin")
    tapped = running_bot.api.bot_messages(parent.chat_id)[0]
    assert tapped["text"].endswith("\n\n✓ Let's begin")
    assert "reply_markup" not in tapped
    await parent.send("yes")  # typed: the consent keyboard goes too
    live = [m for m in running_bot.api.bot_messages(parent.chat_id) if m.get("reply_markup")]
    assert [m["text"] for m in live] == [parent.last_text]


async def test_a_tap_on_an_old_keyboard_is_stale_and_shows_where_we_are(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.send("/start")
    await parent.tap("Let's begin")
    await parent.tap("Yes, that's fine")
    role_question = parent.keyboard_message()
    await parent.tap("I'm the mother")
    answers = running_bot.saved(parent).answers
    new = await parent.tap("I'm the father", on=role_question)
    assert new[-1]["text"].startswith(render("en", "stale"))
    assert new[-1]["text"].endswith(render("en", "q.age_band"))
    assert running_bot.saved(parent).answers == answers
    assert all(running_bot.api.queries.values())


async def test_a_double_tap_records_once(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.play(intake_script()[:-1])
    summary = parent.keyboard_message()
    await asyncio.gather(
        parent.tap("That's right, continue", on=summary, until=keyboards(1)),
        parent.tap("That's right, continue", on=summary, until=keyboards(1)),
    )
    assert len(running_bot.intakes()) == 1
    texts = parent.texts
    assert sum(render("en", "suggest.next.mip", **_values(running_bot)) in t for t in texts) == 1
    assert texts[-1].startswith(render("en", "stale"))
    assert all(running_bot.api.queries.values())


async def test_one_parents_updates_are_handled_in_order(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    others = [running_bot.parent() for _ in range(3)]
    await parent.send("/start")
    await parent.tap("Let's begin")
    await parent.tap("Yes, that's fine")
    typed = ["mother", "6–12 months", "often", "sometimes", "rarely"]
    await asyncio.gather(
        *(parent.send(text) for text in typed), *(other.send("/start") for other in others)
    )
    saved = running_bot.saved(parent)
    assert saved is not None
    assert saved.state == "sleep_feeding"
    assert saved.history == ["role", "age_band", "baby_reacts", "baby_distress", "baby_withdrawn"]
    questions = ["q.age_band", "q.baby_reacts", "q.baby_distress", "q.baby_withdrawn"]
    shown = [m["text"] for m in running_bot.api.bot_messages(parent.chat_id)][-5:]
    for text, key in zip(shown, [*questions, "q.sleep_feeding"], strict=True):
        assert text.endswith(render("en", key))


async def test_delete_asks_first_then_erases_everything(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.play(intake_script())
    assert len(running_bot.intakes()) == 1
    await parent.send("/radera")
    assert parent.labels() == ["Yes, delete everything", "No, keep my answers"]
    new = await parent.tap("Yes, delete everything", until=lambda new: len(new) >= 1)
    question, done = new  # the question keeps its text, the answer under it; the report stays
    assert question["text"].endswith("✓ Yes, delete everything")
    assert "reply_markup" not in question
    assert "reply_markup" not in done
    assert done["text"].startswith(render("en", "delete.done"))
    assert "the answers of 1 finished chat" in done["text"]
    assert running_bot.intakes() == []
    assert running_bot.saved(parent) is None


async def test_before_consent_the_files_hold_no_pseudonym_and_no_session(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.send("/start")
    await parent.share("sticker")  # read, never stepped: from memory too
    await parent.tap_code("begin")
    await parent.tap_code("privacy")
    # the privacy notice, then the consent asked again in one line, not all of it once more
    assert parent.keyboard_message()["text"].endswith(render("en", "prompt.consent_again"))
    pseudonym = running_bot.intake_bot.service.pseudonym(parent.user_id).encode()
    assert pseudonym not in raw_bytes(running_bot.db_path)
    assert running_bot.saved(parent) is None
    assert count_sessions(running_bot.db_path) == 0

    await parent.tap_code("yes")
    assert running_bot.saved(parent).state == "role"
    assert pseudonym in raw_bytes(running_bot.db_path)


def count_sessions(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as reader:
        count: int = reader.execute("SELECT count(*) FROM sessions").fetchone()[0]
    return count


async def test_a_delete_while_a_backup_reads_reaches_the_wal_once_the_backup_is_done(
    running_bot: BotHarness,
) -> None:
    running_bot.intake_bot.wal_retry = timedelta(milliseconds=50)
    parent = running_bot.parent()
    words = "Zebrafinken sjunger om natten"
    await parent.play(intake_script(free_text=words))
    pseudonym = running_bot.intake_bot.service.pseudonym(parent.user_id).encode()
    backup = sqlite3.connect(running_bot.db_path)  # a second connection, in a read transaction
    backup.execute("BEGIN")
    backup.execute("SELECT count(*) FROM intakes").fetchone()
    try:
        await parent.send("/delete")
        await parent.tap_code("yes", until=lambda new: len(new) >= 1)
        assert running_bot.intakes() == []
        stored = raw_bytes(running_bot.db_path)
        assert words.encode() in stored  # the backup's snapshot still needs them
        assert pseudonym in stored
        (retry,) = running_bot.app.job_queue.get_jobs_by_name("flush-wal")
        done = job_removed(running_bot, retry.job.id)
        await asyncio.sleep(0.2)
        assert not retry.removed  # tried again, held again
    finally:
        backup.rollback()
        backup.close()
    async with asyncio.timeout(5):
        await done.wait()
    stored = raw_bytes(running_bot.db_path)
    assert words.encode() not in stored
    assert pseudonym not in stored
    assert stored_wal(running_bot.db_path) == b""


def job_removed(running_bot: BotHarness, job_id: str) -> asyncio.Event:
    """Set when the job queue drops this job (a retry job drops itself once it has worked)."""
    removed = asyncio.Event()

    def on_removed(event: JobEvent) -> None:
        if event.job_id == job_id:
            removed.set()

    running_bot.app.job_queue.scheduler.add_listener(on_removed, EVENT_JOB_REMOVED)
    return removed


def stored_wal(db_path: Path) -> bytes:
    return Path(f"{db_path}-wal").read_bytes()


async def test_a_deep_link_tags_the_intake_with_its_clinic(tmp_path: Path) -> None:
    config = tmp_path / "clinics.toml"
    shipped = Path(__file__).parents[2] / "flows" / "clinics" / "sweden.toml"
    config.write_text(
        shipped.read_text("utf-8")
        + '\n[clinics.north]\nname = "North BVC"\nphone = "08-123 456"\n'
        + 'contact = "Call North BVC on 08-123 456."\n',
        "utf-8",
    )
    async with start_bot(tmp_path, INTAKE_CLINIC_CONFIG=str(config)) as running_bot:
        parent = running_bot.parent()
        await parent.send("/start north")
        await parent.play(intake_script()[1:])
        assert [row["clinic"] for row in running_bot.intakes()] == ["north"]
        assert "Call North BVC on 08-123 456." in parent.last_text


async def test_text_shown_back_is_escaped_for_html(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    free_text = "<b>Tired</b> & <script>x</script> 3 > 2"
    script = intake_script(free_text=free_text)[:-1]
    await parent.play(script)
    assert free_text in parent.last_text  # the fake API refuses HTML it cannot parse


async def test_a_very_long_text_is_handled(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.play(until(intake_script(), "free_text"))
    new = await parent.send("We are so tired. " * 6000)
    assert any(render("en", "free_text.shortened", limit=1500) in m["text"] for m in new)
    assert all(len(m["text"]) <= 4096 for m in running_bot.api.bot_messages(parent.chat_id))
    other = running_bot.parent()
    await other.send("/start")
    await other.send("x" * 100_000)  # not an answer to the welcome: asked again, kindly
    assert other.last_text.startswith(render("en", "reask"))
    assert other.last_text.endswith(render("en", "prompt.welcome_again"))


def _values(running_bot: BotHarness) -> dict[str, str]:
    values: dict[str, str] = running_bot.intake_bot.service.engine.clinics.values("en", "")
    return values
