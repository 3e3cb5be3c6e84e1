"""The conversation around a crisis, through the real bot over the fake Bot API (issue 8).

A crisis is answered first and alone, wherever its words are typed: a message, a caption, an
edit, a forwarded message. After a danger-level reply the bot waits at a safe-check with
buttons, and that waiting survives a restart. Forwarded and quoted messages are never an answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.texts import render
from tests.support import (
    BotHarness,
    Line,
    Parent,
    after,
    intake_script,
    play_beside_the_engine,
    start_bot,
    until,
)

DANGER = {"en": "I want to die", "sv": "Jag vill dö"}
UNWANTED = {"en": "I keep having scary thoughts of dropping the baby", "sv": "jag har tvångstankar"}
GO_ON = {"en": "I'm safe, let's go on", "sv": "Jag är i säkerhet, vi kan fortsätta"}


def values(running_bot: BotHarness, lang: str) -> dict[str, str]:
    found: dict[str, str] = running_bot.intake_bot.service.engine.clinics.values(lang, "")
    return found


async def at_age_question(running_bot: BotHarness, lang: str) -> Parent:
    parent = running_bot.parent(language_code=lang)
    await parent.play(intake_script()[:4])
    assert running_bot.saved(parent).state == "age_band"
    return parent


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_a_danger_reply_then_the_safe_check_with_buttons_and_no_question(
    running_bot: BotHarness, lang: str
) -> None:
    parent = await at_age_question(running_bot, lang)
    new = await parent.send(DANGER[lang])
    assert new[0]["text"] == render(lang, "crisis.danger", **values(running_bot, lang))
    assert "reply_markup" not in new[0]
    assert new[-1]["text"] == render(lang, "safe_check")
    assert parent.labels() == [
        render(lang, f"o.safe_check.{code}") for code in ("go_on", "numbers", "pause")
    ]
    assert render(lang, "q.age_band") not in "".join(m["text"] for m in new)
    check = parent.keyboard_message()
    closed, crisis, *_ = await parent.tap(render(lang, "o.safe_check.numbers"))
    assert closed["message_id"] == check["message_id"]  # the question, answered, stays
    assert crisis["text"].startswith("🆘")  # a new message, never drawn over
    await parent.tap(GO_ON[lang])
    assert parent.last_text.endswith(render(lang, "q.age_band"))
    assert running_bot.saved(parent).safety == "danger"


async def test_typed_answers_and_crises_through_the_bot_are_what_the_engine_says(
    running_bot: BotHarness,
) -> None:
    parent = running_bot.parent(language_code="sv")
    script: list[Line] = [
        *intake_script()[:5],
        ("ibland vet jag inte riktigt vad jag ska svara", "reask.heard", "baby_reacts"),
        ("typ ibland", "q.baby_distress", "baby_distress"),
        ("ja ofta", "q.baby_withdrawn", "baby_withdrawn"),
        ("tillbaka", "q.baby_distress", "baby_distress"),
        ("jag har ont i ryggen, vill tillbaka till sängen", "reask.heard", "baby_distress"),
        (DANGER["sv"], "safe_check", "baby_distress"),
        ("/hjalp", "help", "baby_distress"),
        ("aldrig", "safe_check.reask", "baby_distress"),  # not this question's answer now
        ("ja", "q.baby_distress", "baby_distress"),
    ]
    await play_beside_the_engine(running_bot, parent, script, "sv")
    assert running_bot.saved(parent).answers["baby_distress"] == "often"  # from "ja ofta"


async def test_the_safe_check_survives_a_restart_of_the_bot(tmp_path: Path) -> None:
    async with start_bot(tmp_path) as first:
        parent = await at_age_question(first, "en")
        await parent.send(DANGER["en"])
    async with start_bot(tmp_path) as second:
        again = second.parent(user_id=parent.user_id)
        new = await again.send("/start")
        assert [m["text"] for m in new] == [
            f"{render('en', 'resume')}\n\n{render('en', 'safe_check')}"
        ]
        await again.send("yes")
        assert again.last_text.endswith(render("en", "q.age_band"))


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_a_crisis_in_a_caption_is_answered_first(running_bot: BotHarness, lang: str) -> None:
    parent = await at_age_question(running_bot, lang)
    new = await parent.share("photo", caption=DANGER[lang])
    assert new[0]["text"].startswith("🆘")
    assert new[-1]["text"] == f"{render(lang, 'bot.kind.photo')}\n\n{render(lang, 'safe_check')}"
    assert running_bot.saved(parent).safety == "danger"
    calm = await at_age_question(running_bot, lang)
    before = running_bot.saved(calm)
    new = await calm.share("document", caption="our sleep diary")
    assert [m["text"] for m in new] == [
        f"{render(lang, 'bot.kind.document')}\n\n{render(lang, 'q.age_band')}"
    ]
    assert running_bot.saved(calm) == before  # nothing stepped, nothing saved


async def test_a_crisis_in_an_edit_is_answered_first(running_bot: BotHarness) -> None:
    parent = await at_age_question(running_bot, "en")
    await parent.send("something else")
    new = await parent.edit(UNWANTED["en"])
    assert new[0]["text"] == render("en", "crisis.unwanted_thoughts", **values(running_bot, "en"))
    assert new[-1]["text"].startswith(render("en", "bot.kind.edited"))
    assert new[-1]["text"].endswith(render("en", "q.age_band"))
    assert running_bot.saved(parent).safety == "unwanted_thoughts"
    assert "age_band" not in running_bot.saved(parent).answers


@pytest.mark.parametrize("lang", ["en", "sv"])
async def test_a_forwarded_message_is_never_an_answer_but_its_crisis_is_answered(
    running_bot: BotHarness, lang: str
) -> None:
    parent = await at_age_question(running_bot, lang)
    before = running_bot.saved(parent)
    new = await parent.forward("6–12 months" if lang == "en" else "6–12 månader")
    assert [m["text"] for m in new] == [
        f"{render(lang, 'bot.kind.forwarded')}\n\n{render(lang, 'q.age_band')}"
    ]
    assert running_bot.saved(parent) == before
    new = await parent.forward(DANGER[lang])
    assert new[0]["text"].startswith("🆘")
    assert new[-1]["text"].startswith(render(lang, "bot.kind.forwarded"))
    assert running_bot.saved(parent).answers == before.answers


async def test_a_quote_from_another_chat_is_never_the_note(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.play(until(intake_script(), "free_text"))
    assert running_bot.saved(parent).state == "free_text"
    new = await parent.quote_elsewhere("She said this about us", "Your baby cries a lot")
    assert new[-1]["text"].startswith(render("en", "bot.kind.quoted"))
    assert "free_text" not in running_bot.saved(parent).answers
    await parent.forward("/stop")  # a forwarded command is someone else's, too
    assert running_bot.saved(parent).state == "free_text"


async def test_a_crisis_written_as_the_note_is_not_kept(running_bot: BotHarness) -> None:
    parent = running_bot.parent()
    await parent.play(until(intake_script(), "free_text"))
    new = await parent.send(UNWANTED["en"])
    assert new[0]["text"].startswith("💛")
    assert new[-1]["text"].startswith(render("en", "free_text.not_kept"))
    assert "free_text" not in running_bot.saved(parent).answers


async def test_a_suggestion_after_a_crisis_acknowledges_it_first(running_bot: BotHarness) -> None:
    parent = running_bot.parent(language_code="sv")
    script = intake_script(safety="yes_self")
    rest = after(script, "safety")  # from the safety answer on
    await parent.play([*until(script, "safety"), rest[0]])
    assert parent.last_text == render("sv", "safe_check")
    await parent.play(rest[1:])
    acknowledged = render("sv", "suggest.after.danger", **values(running_bot, "sv"))
    texts = parent.texts
    first = texts.index(acknowledged)  # a message of its own, before the suggestion's
    assert texts[first + 1].startswith(render("sv", "suggest.mip"))
    [row] = running_bot.intakes()
    assert (row["safety_answer"], row["safety_level"]) == ("yes_self", "danger")
