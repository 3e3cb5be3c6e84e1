"""Crisis detection in English and Swedish: direct and indirect phrasings, and calm text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.safety import detect_crisis, higher

DANGER = [
    "I want to die",
    "I've been thinking about killing myself",
    "sometimes I think about suicide",
    "Everyone would be better off without me",
    "I wish I was dead",
    "I don't want to live anymore",
    "I can't go on like this",
    "I’m scared I’m losing control",
    "I want to hurt my baby",
    "I'm going to hurt the baby",
    "I hear voices telling me things about her",
    "The baby is evil",
    "I haven't slept for days and everything is strange",
    "I could hurt my baby",
    "I want to end it all",
    "Jag vill dö",
    "jag orkar inte mer",
    "Jag orkar inte leva längre",
    "alla vore bättre utan mig",
    "jag tänker på självmord",
    "Jag vill ta livet av mig",
    "jag vill skada mitt barn",
    "jag hör röster",
    "Jag har inte sovit på flera dygn",
    "jag tappar kontrollen",
    "Jag vill inte leva",
    "JAG VILL DÖ!!!",
    "sjalvmord",
]

UNWANTED = [
    "I keep having scary thoughts of dropping the baby",
    "I get intrusive thoughts about something bad happening",
    "what if I drop her down the stairs, I keep thinking",
    "I have thoughts of hurting my baby but I would never do it",
    "horrible images of the baby getting hurt pop into my head",
    "jag har tvångstankar",
    "Jag får skrämmande tankar om att något ska hända bebisen",
    "jag har tankar på att jag ska tappa henne",
    "jag får tankar om att skada bebisen men jag skulle aldrig göra det",
]

CALM = [
    "The baby sleeps badly and I'm so tired",
    "She cries a lot in the evenings",
    "We moved house last month",
    "He is 3450 g and feeds every 3 hours",
    "I'm worried about feeding",
    "Bebisen sover dåligt",
    "Jag är trött men det går bra",
    "Min man hjälper till mycket",
    "I would never have guessed parenting is this hard",
    "images of my baby smiling make me happy",
    "",
    "🙂👶",
]


@pytest.mark.parametrize("text", DANGER)
def test_danger_now(text: str) -> None:
    assert detect_crisis(text) == "danger"


@pytest.mark.parametrize("text", UNWANTED)
def test_frightening_unwanted_thoughts(text: str) -> None:
    assert detect_crisis(text) == "unwanted_thoughts"


@pytest.mark.parametrize("text", CALM)
def test_calm_text_is_left_alone(text: str) -> None:
    assert detect_crisis(text) is None


def test_higher_keeps_the_most_urgent_level() -> None:
    assert higher("none", "danger") == "danger"
    assert higher("danger", "unwanted_thoughts") == "danger"
    assert higher("none", "unwanted_thoughts") == "unwanted_thoughts"


@given(st.text(max_size=300), st.sampled_from(DANGER))
def test_a_danger_phrase_is_found_whatever_surrounds_it(noise: str, phrase: str) -> None:
    assert detect_crisis(f"{noise}\n{phrase}\n{noise}") == "danger"
