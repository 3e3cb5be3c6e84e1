"""Every message a parent receives fits a phone screen, in both languages, on every path.

Not the catalog's texts one by one (tests/flows/test_texts.py does that) but the messages the
bot would send: each step's replies through `messages_for`, as Telegram gets them, with every
command and every button tried at every step of every path.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from bot.tg_messages import SCREEN_LIMIT, messages_for, text_length
from flows.engine import Engine
from flows.model import LANGUAGES, Aside, Command, Conversation, Input, Step, Tap, Text
from flows.parsing import COMMANDS
from flows.screens import on_screen
from tests.support import EXPECTED_SUGGESTION, intake_script, player

ENGINE = Engine()
CRISES = {
    "en": ("I want to die", "I keep getting scary thoughts of dropping the baby"),
    "sv": ("jag vill inte leva längre", "jag har tvångstankar om att skada bebisen"),
}
LONG_NOTE = "We are so tired, and the nights are long and lonely. " * 40


def paths(lang: str) -> Iterator[list[tuple[str, str | None, str | None]]]:
    """Every routing cell, the kinds of safety answer and the roles taken in turn; the older
    child; consent declined."""
    for (baby, parent), safety, role in zip(
        EXPECTED_SUGGESTION,
        itertools.cycle(("no", "yes_unwanted", "yes_self")),
        itertools.cycle(("mother", "father")),
        strict=False,
    ):
        yield intake_script(baby, parent, role=role, safety=safety, free_text=LONG_NOTE)
    script = intake_script()
    yield [*script[:4], ("tap:over_3y", None, "safety"), ("tap:no", None, "summary")]
    yield [*script[:2], ("tap:no", None, "declined")]


def detours(conv: Conversation, lang: str) -> Iterator[Input]:
    """Everything a parent can do besides going on: every command, every button on screen,
    a crisis in their own words, an aside, a stale tap."""
    for name in sorted(COMMANDS):
        yield Command(name)
    for reply in ENGINE.prompt(conv):
        for option in reply.options:
            yield Tap(reply.question or "", option.code, conv.revision)
    yield from (Text(crisis) for crisis in CRISES[lang])
    yield Aside("bot.kind.sticker")
    yield Tap(on_screen(conv).name, "no-such-button", conv.revision - 1)
    yield Text("something that is not an answer at all")


def sent(step: Step) -> list[str]:
    return [m.text for m in messages_for(step.replies, step.conversation.revision)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_on_every_path_fits_a_phone_screen(lang: str) -> None:
    longest: dict[str, int] = {}
    for script in paths(lang):
        p = player(lang, ENGINE)
        for what, _, _ in script:
            for event in detours(p.conversation, lang):
                step = ENGINE.handle(p.conversation, event)
                for text in sent(step):
                    longest[text[:40]] = max(longest.get(text[:40], 0), text_length(text))
                # and one step on from the detour: a detail after a detail, a note after a note
                for follow in detours(step.conversation, lang):
                    for text in sent(ENGINE.handle(step.conversation, follow)):
                        longest[text[:40]] = max(longest.get(text[:40], 0), text_length(text))
            for text in sent(p.send(what)):
                longest[text[:40]] = max(longest.get(text[:40], 0), text_length(text))
    too_long = {start: length for start, length in longest.items() if length > SCREEN_LIMIT}
    assert not too_long, f"{lang}: messages longer than a phone screen: {too_long}"
    assert len(longest) > 100  # the paths really went everywhere


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_result_is_a_short_headline_then_how_to_go_on(lang: str) -> None:
    p = player(lang, ENGINE)
    p.play(intake_script("affected", "understand", safety="yes_self"))
    messages = messages_for(p.steps[-1].replies, p.conversation.revision)
    acknowledgement, headline, how = messages
    assert "90101" in acknowledgement.text  # a crisis earlier: acknowledged first, alone
    assert len(headline.text.splitlines()) == 4
    assert not headline.buttons
    assert how.text.startswith({"en": "How to go on:", "sv": "Så här går du vidare:"}[lang])
    assert [label for label, _ in how.buttons] == [
        {"en": "What is MIP?", "sv": "Vad är MIP?"}[lang],
        {"en": "What does the BVC nurse offer?", "sv": "Vad erbjuder BVC-sjuksköterskan?"}[lang],
        {"en": "Start again", "sv": "Börja om"}[lang],
    ]
