"""Replies as Telegram messages and buttons as callback data: pure translation, no network."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import User

from bot.tg_messages import (
    CALLBACK_LIMIT,
    MESSAGE_LIMIT,
    Outgoing,
    answered_text,
    callback_data,
    messages_for,
    names_of,
    split_text,
    tap_from,
    text_length,
)
from bot.tg_runtime import LiveKeyboards
from flows.engine import Engine
from flows.model import LANGUAGES, Conversation, Option, Reply, Tap
from flows.questions import QUESTIONS, STATES


def test_a_crisis_reply_is_sent_alone_and_first() -> None:
    replies = [
        Reply("crisis.danger", "Call 112.", kind="crisis"),
        Reply("research.fathers", "Welcome!"),
        Reply("q.age_band", "How old?", (Option("under_6m", "Under 6 months"),), "age_band"),
    ]
    messages = messages_for(replies, 7)
    assert [m.text for m in messages] == ["Call 112.", "Welcome!\n\nHow old?"]
    assert messages[0].buttons == ()
    assert messages[1].buttons == (("Under 6 months", "7|age_band|under_6m"),)


def test_a_keyboard_ends_its_message() -> None:
    replies = [
        Reply("q.role", "Who?", (Option("mother", "Mother"),), "role"),
        Reply("delete.report", "Deleted."),
    ]
    assert [(m.text, bool(m.buttons)) for m in messages_for(replies, 1)] == [
        ("Who?", True),
        ("Deleted.", False),
    ]


def test_replies_longer_than_a_message_are_split_between_replies() -> None:
    long = "word " * 700
    replies = [Reply("a", long.strip()), Reply("b", long.strip())]
    messages = messages_for(replies, 1)
    assert [m.text for m in messages] == [long.strip(), long.strip()]


def test_every_button_of_every_state_fits_telegrams_callback_limit() -> None:
    engine = Engine()
    for lang in LANGUAGES:
        for state in STATES:
            answers = {q.key: (q.codes or ("skip",))[-1] for q in QUESTIONS}
            for pending in ("", "language", "delete"):
                conv = Conversation(state=state, lang=lang, answers=answers, pending=pending)
                for reply in engine.prompt(conv):
                    for option in reply.options:
                        data = callback_data(10**12, reply.question or "", option.code)
                        assert len(data.encode()) <= CALLBACK_LIMIT
                        assert tap_from(data) == Tap(reply.question or "", option.code, 10**12)


def test_callback_data_that_is_too_long_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 64"):
        callback_data(1, "q" * 60, "code")


@pytest.mark.parametrize("data", [None, "", "garbage", "x|role|mother", "3|role|", "-1|a|b"])
def test_data_we_did_not_make_reads_as_a_stale_tap(data: str | None) -> None:
    assert tap_from(data) == Tap("", "", None)


def test_text_is_escaped_for_html_and_only_there() -> None:
    message = Outgoing("<b>5 > 3 & 'so'</b>")
    assert message.html == "&lt;b&gt;5 &gt; 3 &amp; 'so'&lt;/b&gt;"
    assert message.text == "<b>5 > 3 & 'so'</b>"


def test_an_answered_question_shows_the_answer_once() -> None:
    assert answered_text("Who?", "✓ Mother", "en") == "Who?\n\n✓ Mother"
    assert answered_text("x" * 4090, "Mother", "en") is None


@given(st.text(alphabet=st.sampled_from("ab \n😀ö"), max_size=9000))
def test_split_text_keeps_everything_within_the_limit(text: str) -> None:
    pieces = split_text(text, limit=500)
    assert all(0 < text_length(piece) <= 500 for piece in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split()) or text.strip() == ""


def test_the_message_limit_leaves_room_for_the_answer_mark() -> None:
    assert MESSAGE_LIMIT + len("\n\n✓ ") + 64 < 4096


def test_live_keyboards_are_remembered_for_a_bounded_number_of_chats() -> None:
    keyboards = LiveKeyboards(size=3)
    for chat in range(10):
        keyboards.remember(chat, chat * 10)
    assert len(keyboards) == 3
    assert keyboards.take(9) == 90
    assert keyboards.take(0) is None  # forgotten: its keyboard is only answered as stale
    keyboards.discard(8, 999)  # another message: kept
    assert keyboards.take(8) == 80


def test_every_identifier_telegram_gives_is_handed_to_the_scrubber() -> None:
    user = User(5550001234, "Märta", False, last_name="Öberg", username="marta_oberg")
    assert names_of(user) == ("Märta", "Öberg", "marta_oberg", "@marta_oberg", "5550001234")
    bare = User(910000001, "Tove", False)
    assert names_of(bare) == ("Tove", "910000001")
