"""How the bot runs under strain: a parent who floods, a locked database, a Bot API that
fails or answers late, odd buttons, and memory that must not grow with parents."""

from __future__ import annotations

import asyncio
import json
import logging
import statistics
import sys
import textwrap
import time
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Update

import storage
from flows.texts import render
from tests.support import (
    BotHarness,
    Parent,
    intake_script,
    keyboards,
    messages,
    raw_bytes,
    until,
)


def through_the_queue(harness: BotHarness) -> Callable[..., Any]:
    """Deliver updates as polling does: onto the application's update queue, then wait."""
    app, shown = harness.app, harness.api.shown

    async def deliver(update: dict[str, Any], chat_id: int, until: Callable[..., bool]) -> None:
        before = len(shown[chat_id])
        await app.update_queue.put(Update.de_json(update, app.bot))
        async with asyncio.timeout(30):
            while not until(shown[chat_id][before:]):  # noqa: ASYNC110
                await asyncio.sleep(0.002)

    return deliver


async def play_timed(someone: Parent, script: list[tuple[str, Any, Any]]) -> list[float]:
    latencies = []
    for what, _, _ in script:
        started = time.perf_counter()
        if what.startswith("tap:"):
            await someone.tap_code(what.removeprefix("tap:"))
        else:
            await someone.send(what)
        latencies.append(time.perf_counter() - started)
    return latencies


# ---- one parent never stalls another


@pytest.mark.slow
async def test_a_flooding_parent_does_not_delay_the_others(harness: BotHarness) -> None:
    harness.app.bot.request.latency = 0.02  # every Bot API call takes a round trip
    deliver = through_the_queue(harness)
    flooder = Parent(harness.api, deliver, first_name="Flood", username=None)
    await flooder.send("/start")
    others = [Parent(harness.api, deliver, username=None) for _ in range(4)]
    flood = []
    for number in range(400):
        text = "I want to die" if number == 200 else f"hello {number}"
        message = harness.api.user_message(flooder.chat, flooder.user, text=text)
        flood.append(Update.de_json(harness.api.push("message", message), harness.app.bot))

    async def flood_now() -> None:
        for update in flood:
            await harness.app.update_queue.put(update)

    results = await asyncio.gather(
        flood_now(), *(play_timed(someone, intake_script()) for someone in others)
    )
    latencies = [latency for result in results[1:] for latency in result]
    p95 = statistics.quantiles(latencies, n=20)[-1]
    assert p95 < 0.5, f"others waited {p95:.2f} s (p95) behind the flood"

    async with asyncio.timeout(10):  # the flood's kept part is answered in the end
        while harness.app.update_processor.chats_in_progress:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    texts = [m["text"] for m in harness.api.shown[flooder.chat_id]]
    assert texts.count(render("en", "bot.flood")) == 1  # one gentle note, not one per message
    assert sum(text.startswith("🆘") for text in texts) == 1  # the dropped crisis was answered
    assert len(texts) < 30  # the surplus was dropped
    for someone in others:
        assert someone.last_text.endswith(render("en", "prompt.done"))


async def test_a_waiting_update_holds_no_concurrent_slot(harness: BotHarness) -> None:
    processor = harness.app.update_processor
    parent = harness.parent()
    gate = asyncio.Event()

    async def held() -> None:
        await gate.wait()

    async def quick() -> None:
        return None

    chat = {"id": parent.chat_id, "type": "private", "first_name": "K"}
    update = Update.de_json({"update_id": 1, "message": _message(chat, "a")}, harness.app.bot)
    first = asyncio.ensure_future(processor.process_update(update, held()))
    await asyncio.sleep(0)
    for number in range(5):
        second = Update.de_json(
            {"update_id": 2 + number, "message": _message(chat, "b")}, harness.app.bot
        )
        await processor.process_update(second, quick())  # returns at once: it only queues
    assert processor.current_concurrent_updates == 1
    gate.set()
    await first
    assert processor.chats_in_progress == 0


def _message(chat: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 0,
        "chat": chat,
        "text": text,
        "from": {**chat, "is_bot": False},
    }


# ---- storage off the event loop

LOCK = textwrap.dedent(
    """
    import sqlite3, sys, time
    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
    connection.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
    connection.execute("ROLLBACK")
    """
)


@pytest.mark.slow
async def test_a_database_locked_by_another_process_delays_only_its_steps(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.intake_bot.wait_note_after = 0.3
    parent = harness.parent()
    await parent.play(intake_script()[:4])  # consented, at the age question
    member = harness.parent(chat_type="group")
    locker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", LOCK, str(harness.db_path), "2.0", stdout=asyncio.subprocess.PIPE
    )
    assert locker.stdout is not None
    assert (await locker.stdout.readline()).strip() == b"locked"
    started = time.perf_counter()
    tapping = asyncio.ensure_future(parent.tap_code("6_12m", until=keyboards(1)))
    note = await member.send("/start", until=messages(1))
    assert time.perf_counter() - started < 0.5  # the event loop is not frozen by the lock
    assert note[0]["text"] == render("en", "bot.group")
    new = await tapping
    await locker.wait()
    assert time.perf_counter() - started >= 1.5  # the answer waited for the lock
    texts = [m["text"] for m in new]
    assert render("en", "bot.wait") in texts  # heard "one moment" meanwhile
    assert parent.keyboard_message()["text"].endswith(render("en", "q.baby_reacts"))
    saved = harness.saved(parent)
    assert saved is not None
    assert saved.answers["age_band"] == "6_12m"
    assert "the database is locked by another program; trying again" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING and "failed" in r.msg]


# ---- cosmetic calls never block the conversation


async def test_a_failing_edit_never_holds_back_the_next_question(harness: BotHarness) -> None:
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    tapped = parent.keyboard_message()
    harness.api.fail("editMessageText", *[500] * 5)  # the retries fail too
    await parent.tap_code("mother")
    assert parent.last_text.endswith(render("en", "q.age_band"))  # sent anew instead
    assert harness.saved(parent).answers == {"role": "mother"}
    messages = harness.api.bot_messages(parent.chat_id)
    assert [m for m in messages if m.get("reply_markup")] == [messages[-1]]  # one live keyboard
    assert messages[-2]["message_id"] == tapped["message_id"]


@pytest.mark.parametrize("fault", [500, 429])
async def test_a_failing_button_answer_never_drops_the_tap(harness: BotHarness, fault: int) -> None:
    harness.intake_bot.cosmetic_budget = 1.0
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    harness.api.fail("answerCallbackQuery", *[fault] * 5)
    started = time.perf_counter()
    await parent.tap_code("father")
    assert time.perf_counter() - started < 1.5
    assert parent.last_text.endswith(render("en", "q.age_band"))
    assert harness.saved(parent).answers == {"role": "father"}


async def test_a_slow_bot_api_never_gets_a_question_sent_twice(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    sends = harness.api.counts["sendMessage"]
    harness.api.fail("sendMessage", "late")  # carried out, but the answer comes too late
    await parent.send("I'm the mother", until=keyboards(1))
    assert harness.api.counts["sendMessage"] == sends + 1  # not sent again
    assert [m for m in parent.texts if m.endswith(render("en", "q.age_band"))] == [parent.last_text]
    await parent.send("2")  # typed for the question on screen: the age question
    assert harness.saved(parent).answers == {"role": "mother", "age_band": "6_12m"}
    assert "an unconfirmed reply was found in the chat" in caplog.text


async def test_a_reply_that_did_not_get_out_is_sent_when_the_parent_writes_again(
    harness: BotHarness,
) -> None:
    harness.intake_bot.mark_delay = 0.2
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    harness.api.blocked.add(parent.chat_id)
    await parent.send("1", until=lambda new: True)  # the mother: stored, but not delivered
    pseudonym = harness.intake_bot.service.pseudonym(parent.user_id)
    pending = storage.load_outbox(harness.intake_bot.service.db, pseudonym)
    assert pending is not None
    assert pending.shown is not None
    harness.api.blocked.clear()
    await parent.send("1")  # still the role question on screen: "1" answers it again
    assert harness.saved(parent).answers == {"role": "mother"}
    assert parent.last_text.endswith(render("en", "q.age_band"))
    await asyncio.sleep(0.5)  # the delivered row leaves the outbox soon after
    assert storage.load_outbox(harness.intake_bot.service.db, pseudonym) is None


async def test_the_outbox_holds_free_text_only_scrubbed(harness: BotHarness) -> None:
    parent = harness.parent()
    script = intake_script(free_text="Kristina here, call 070-123 45 67")
    to_note = until(script, "free_text")
    await parent.play(to_note)
    harness.api.blocked.add(parent.chat_id)  # the summary stays in the outbox
    await parent.send(script[len(to_note)][0], until=lambda new: True)
    pseudonym = harness.intake_bot.service.pseudonym(parent.user_id)
    pending = storage.load_outbox(harness.intake_bot.service.db, pseudonym)
    assert pending is not None
    assert "[phone]" in pending.messages
    for detail in ("070", "Kristina"):
        assert detail not in pending.messages
        assert detail not in (pending.shown or "")
    assert b"070-123" not in raw_bytes(harness.db_path)


async def test_the_outbox_carries_edits_and_delivers_them_once(harness: BotHarness) -> None:
    from bot.service import Outcome

    parent = harness.parent()
    await parent.send("/start")
    target = parent.keyboard_message()["message_id"]
    edit = {
        "text": "Edited into the next question",
        "buttons": [["Yes", "9|x|yes"]],
        "edit": target,
    }
    outcome = Outcome(
        (), harness.intake_bot.service.engine.new_conversation(), False, messages=(edit,)
    )
    bot = harness.app.bot
    sends = harness.api.counts["sendMessage"]
    for _ in range(2):  # delivered, then delivered again as after a crash: the same message
        await harness.intake_bot.deliver(bot, parent.chat_id, outcome)
    assert harness.api.counts["sendMessage"] == sends
    (edited,) = [m for m in harness.api.bot_messages(parent.chat_id) if m["message_id"] == target]
    assert edited["text"] == "Edited into the next question"
    pending = storage.Pending(9, json.dumps([edit]), None, 0)
    assert await harness.intake_bot.probe(bot, parent.chat_id, pending, 0) is True


# ---- small ones


async def test_a_superscript_digit_in_button_data_is_a_stale_tap(harness: BotHarness) -> None:
    parent = harness.parent()
    await parent.send("/start")
    message = parent.keyboard_message()
    query = harness.api.callback_query(parent.user, message, "²|welcome|begin")
    await parent.deliver(harness.api.push("callback_query", query), parent.chat_id, keyboards(1))
    assert render("en", "stale") in parent.last_text
    assert not [text for text in parent.texts if text.startswith("I'm sorry, something went")]


async def test_a_double_tap_costs_no_refused_edit(harness: BotHarness) -> None:
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    for _ in range(5):
        question = parent.keyboard_message()
        label = question["reply_markup"]["inline_keyboard"][0][0]["text"]
        await asyncio.gather(
            parent.tap(label, on=question, until=keyboards(1)),
            parent.tap(label, on=question, until=keyboards(1)),
        )
    assert parent.last_text.endswith(render("en", "q.sleep_feeding"))
    not_modified = [r for r in harness.api.refusals if "not modified" in r[1]]
    assert not_modified == []


@pytest.mark.parametrize("chat_type", ["group", "supergroup"])
async def test_a_tap_outside_a_private_chat_steps_nothing(
    harness: BotHarness, chat_type: str
) -> None:
    member = harness.parent(chat_type=chat_type)
    message = harness.api.user_message(member.chat, None, text="Begin?")
    message["reply_markup"] = {
        "inline_keyboard": [[{"text": "Go", "callback_data": "0|welcome|begin"}]]
    }
    query = harness.api.callback_query(member.user, message, "0|welcome|begin")
    await member.deliver(harness.api.push("callback_query", query), member.chat_id, lambda n: True)
    await asyncio.sleep(0.05)
    assert harness.api.shown[member.chat_id] == []  # nothing said in the group
    assert harness.api.queries[query["id"]] is True  # the button is answered privately
    answer = [c for c in harness.api.calls if c.method == "answerCallbackQuery"][-1]
    assert answer.params["text"] == render("en", "bot.group")[:200]
    assert harness.saved(member) is None


# ---- memory flat as parents grow


async def test_no_chat_or_user_id_is_collected_for_a_persistence_never_set(
    harness: BotHarness,
) -> None:
    for _ in range(20):
        await harness.parent().send("/start")
    app = harness.app
    assert not app._chat_ids_to_be_updated_in_persistence
    assert not app._user_ids_to_be_updated_in_persistence


async def test_a_typed_answer_is_not_taken_when_the_bot_cannot_tell_what_was_seen(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """On a busy bot, too many message numbers may lie between to look through."""
    monkeypatch.setattr("bot.tg_app.PROBE_LIMIT", 0)
    parent = harness.parent()
    await parent.play(intake_script()[:3])
    harness.api.fail("sendMessage", "late")  # the age question arrives, unconfirmed
    await parent.send("I'm the mother", until=keyboards(1))
    shown = await parent.send("2")  # the age question, or the role one again?
    assert shown[0]["text"].startswith(render("en", "bot.resend"))
    assert parent.last_text.endswith(render("en", "q.age_band"))
    saved = harness.saved(parent)
    assert saved is not None
    assert saved.answers == {"role": "mother"}  # "2" was not taken for either question
    assert "an unconfirmed reply was not to be found out" in caplog.text
    await parent.send("2")  # now the age question is certainly on screen
    saved = harness.saved(parent)
    assert saved is not None
    assert saved.answers == {"role": "mother", "age_band": "6_12m"}


async def test_only_a_parents_own_words_are_read_for_a_crisis_in_the_queue(
    harness: BotHarness,
) -> None:
    from bot.tg_runtime import crisis_in

    parent = harness.parent()
    await parent.play(intake_script()[:3])
    question = parent.keyboard_message()
    question["text"] = "Do you have thoughts of harming yourself or your baby?"  # the bot's own
    query = harness.api.callback_query(parent.user, question, "0|role|mother")
    tap = Update.de_json(harness.api.push("callback_query", query), harness.app.bot)
    assert crisis_in(tap) is None
    typed = harness.api.user_message(parent.chat, parent.user, text="I want to die")
    message = Update.de_json(harness.api.push("message", typed), harness.app.bot)
    assert crisis_in(message) == "danger"
    edited = Update.de_json(harness.api.push("edited_message", typed), harness.app.bot)
    assert crisis_in(edited) == "danger"


async def test_what_the_bot_loaded_at_start_is_left_out_of_garbage_collection(
    harness: BotHarness,
) -> None:
    import gc

    assert gc.get_freeze_count() > 50_000  # the lexicons, the model, the libraries
    parent = harness.parent()
    await parent.play(intake_script()[:4])
    assert parent.last_text.endswith(render("en", "q.age_band"))
