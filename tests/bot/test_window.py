"""A tap costs two Bot API calls: the tapped question becomes the next one (issue 14).

The look of a whole conversation, in both languages, as the parent's chat holds it at the end;
what stays in the chat (a crisis reply, the privacy notice, the welcome, the consent, the
summary, the suggestion) is never drawn over; stale and double taps, and an edit the Bot API
refuses, still end with exactly one live keyboard.
"""

from __future__ import annotations

import asyncio

import pytest

from flows.texts import render
from tests.support import BotHarness, Parent, intake_script
from tests.support.parent import keyboards

LANGS = ["en", "sv"]
DANGER = {"en": "Some days I just want to disappear for good", "sv": "ibland vill jag bara dö"}


def texts_and_keyboards(parent: Parent) -> list[tuple[str, bool]]:
    return [
        (m["text"], bool(m.get("reply_markup"))) for m in parent.api.bot_messages(parent.chat_id)
    ]


def label(lang: str, key: str) -> str:
    return render(lang, key)


async def tap_counting(running_bot: BotHarness, parent: Parent, code: str) -> list[str]:
    """Tap the button with this code; the Bot API methods the bot called for it."""
    before = len(running_bot.api.calls)
    await parent.tap_code(code)
    return [call.method for call in running_bot.api.calls[before:]]


@pytest.mark.parametrize("lang", LANGS)
async def test_a_whole_intake_leaves_five_messages_and_costs_two_calls_a_question(
    running_bot: BotHarness, lang: str
) -> None:
    parent = running_bot.parent(language_code=lang)
    script = intake_script()
    await parent.play(script[:3])  # /start, begin, consent: the first question
    calls = []
    for what, _, _ in script[3:-1]:  # every question, and the summary reached
        calls.append(await tap_counting(running_bot, parent, what.removeprefix("tap:")))
    assert calls == [["answerCallbackQuery", "editMessageText"]] * len(calls)
    await parent.play(script[-1:])

    values = running_bot.intake_bot.service.engine.clinics.values(lang, "")
    chat = texts_and_keyboards(parent)
    welcome, consent, window, headline, going_on = chat
    # The welcome and the consent stay as they were read, each with the answer under it.
    assert welcome == (
        f"{render(lang, 'prompt.welcome', **values)}\n\n✓ {label(lang, 'o.welcome.begin')}",
        False,
    )
    assert consent[0].startswith(render(lang, "prompt.consent", **values)[:40])
    assert consent[0].endswith(f"\n\n✓ {label(lang, 'o.consent.yes')}")
    # One message carried every question in turn, and ends as the summary, answered.
    text, live = window
    assert not live
    assert text.startswith(f"✓ {label(lang, 'o.free_text.skip')}\n\n{render(lang, 'summary')}")
    assert text.endswith(f"\n\n✓ {label(lang, 'o.summary.confirm')}")
    assert f"{render(lang, 's.age_band')}: {render(lang, 'o.age_band.6_12m')}" in text
    # The suggestion comes as new messages, and only its last one has buttons.
    assert headline[0].startswith(render(lang, "suggest.mip", **values))
    assert not headline[1]
    assert going_on[1]
    assert going_on[0].endswith(render(lang, "prompt.done", **values))
    assert len(running_bot.intakes()) == 1


@pytest.mark.parametrize("lang", LANGS)
async def test_each_answer_shows_above_the_next_question(
    running_bot: BotHarness, lang: str
) -> None:
    parent = running_bot.parent(language_code=lang)
    await parent.play(intake_script()[:4])  # at the age question
    window = parent.keyboard_message()
    new = await parent.tap(label(lang, "o.age_band.under_6m"))
    assert [m["message_id"] for m in new] == [window["message_id"]]
    expected = f"✓ {label(lang, 'o.age_band.under_6m')}\n\n{render(lang, 'q.baby_reacts')}"
    assert new[0]["text"] == expected
    # Back goes to the question before, which marks the answer given with ✓; no answer line.
    back = await parent.tap(label(lang, "nav.back"))
    assert back[0]["text"] == render(lang, "q.age_band")
    assert f"✓ {label(lang, 'o.age_band.under_6m')}" in parent.labels()


@pytest.mark.parametrize("lang", LANGS)
async def test_a_passing_note_comes_along_into_the_window(
    running_bot: BotHarness, lang: str
) -> None:
    parent = running_bot.parent(language_code=lang)
    await parent.play(intake_script()[:3])
    methods = await tap_counting(running_bot, parent, "father")
    assert methods == ["answerCallbackQuery", "editMessageText"]
    note = render(lang, "research.fathers")
    assert parent.last_text == (
        f"✓ {label(lang, 'o.role.father')}\n\n{note}\n\n{render(lang, 'q.age_band')}"
    )


@pytest.mark.parametrize("lang", LANGS)
async def test_crisis_replies_are_never_drawn_over(running_bot: BotHarness, lang: str) -> None:
    parent = running_bot.parent(language_code=lang)
    await parent.play(intake_script()[:5])
    typed = await parent.send(DANGER[lang])  # a crisis typed at a question
    await parent.tap_code("go_on")
    for code in ("often", "sometimes", "rarely", "sleep", "understand", "yes", "mostly_ok"):
        await parent.tap_code(code)
    tapped = await parent.tap_code("yes_self")  # a crisis answer, tapped
    await parent.tap_code("numbers")  # the numbers again, from the safe-check
    await parent.tap_code("go_on")
    await parent.tap_code("skip")
    await parent.tap_code("confirm")

    crises = {m["message_id"]: m["text"] for m in [*typed, *tapped] if m["text"].startswith("🆘")}
    shown_again = [m for m in parent.api.shown[parent.chat_id] if m["text"].startswith("🆘")]
    assert len(crises) == 2
    assert len(shown_again) == 3  # typed, tapped, and "the numbers again": each a new message
    edits = [
        call.params["message_id"]
        for call in running_bot.api.calls
        if call.method.startswith("edit") and call.params.get("chat_id") == parent.chat_id
    ]
    for message in parent.api.bot_messages(parent.chat_id):
        if message["text"].startswith("🆘"):
            assert message["message_id"] not in edits, "a crisis reply was edited"
            assert "reply_markup" not in message
    for number, text in crises.items():
        now = next(m for m in parent.api.bot_messages(parent.chat_id) if m["message_id"] == number)
        assert now["text"] == text
    assert running_bot.intakes()[0]["safety_level"] == "danger"


@pytest.mark.parametrize("lang", LANGS)
async def test_the_privacy_notice_stays_in_the_chat(running_bot: BotHarness, lang: str) -> None:
    parent = running_bot.parent(language_code=lang)
    await parent.play(intake_script()[:2])  # at the consent
    new = await parent.tap_code("privacy")
    notice = next(m for m in new if m["text"].startswith(render(lang, "privacy")[:30]))
    await parent.tap_code("yes")
    for code in ("mother", "6_12m", "often"):
        await parent.tap_code(code)
    now = next(
        m
        for m in parent.api.bot_messages(parent.chat_id)
        if m["message_id"] == notice["message_id"]
    )
    assert now["text"] == notice["text"]


async def test_a_double_tap_on_the_window_leaves_one_live_keyboard(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.play(intake_script()[:5])
    window = parent.keyboard_message()
    await asyncio.gather(
        parent.tap("Often", on=window, until=keyboards(1)),
        parent.tap("Often", on=window, until=keyboards(1)),
    )
    saved = running_bot.saved(parent)
    assert saved is not None
    assert saved.answers["baby_reacts"] == "often"
    assert "baby_distress" not in saved.answers
    live = [m for m in parent.api.bot_messages(parent.chat_id) if m.get("reply_markup")]
    assert len(live) == 1
    assert live[0]["text"].endswith(render("en", "q.baby_distress"))
    await parent.tap_code("sometimes")  # and the conversation goes on
    assert parent.last_text.endswith(render("en", "q.baby_withdrawn"))


async def test_a_tap_on_an_old_question_is_answered_below_not_up_there(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.play(intake_script()[:2])
    consent = parent.keyboard_message()
    await parent.play(intake_script()[2:5])
    stale = Parent.button(label("en", "o.consent.yes"), consent)
    query = running_bot.api.callback_query(parent.user, consent, stale)
    await parent.deliver(running_bot.api.push("callback_query", query), parent.chat_id, keyboards())
    last = parent.api.bot_messages(parent.chat_id)[-1]
    assert last["text"].startswith(render("en", "stale"))
    assert last["text"].endswith(render("en", "q.baby_reacts"))
    live = [m for m in parent.api.bot_messages(parent.chat_id) if m.get("reply_markup")]
    assert live == [last]


async def test_a_restart_between_taps_still_draws_into_the_tapped_question(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent()
    await parent.play(intake_script()[:5])
    running_bot.intake_bot.keyboards = type(
        running_bot.intake_bot.keyboards
    )()  # as after a restart
    window = parent.keyboard_message()
    new = await parent.tap_code("often")
    assert [m["message_id"] for m in new] == [window["message_id"]]
    assert new[0]["text"].endswith(render("en", "q.baby_distress"))
