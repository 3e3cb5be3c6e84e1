"""What a typed text means at a question: an option's code, going back, or not an answer.

A text is an answer only when it clearly is one: a number, an option's words, yes/no in
either language, or a short phrase that matches exactly one option. A sentence is never
consumed as an answer, and words inside it never navigate (issue 8).
"""

from __future__ import annotations

import pytest

from flows.engine import Engine
from flows.matching import PHRASE_WORDS, is_sentence, match_option, says_yes
from flows.model import Conversation, Option, Text
from flows.screens import BACK

ENGINE = Engine()
NOT_AN_ANSWER = None

#: (language, question, typed, what it must mean: an option code, BACK, or NOT_AN_ANSWER)
TYPED: list[tuple[str, str, str, str | None]] = [
    # numbers, labels and codes
    ("en", "baby_reacts", "2", "sometimes"),
    ("en", "baby_reacts", "2.", "sometimes"),
    ("en", "baby_reacts", "9", NOT_AN_ANSWER),
    ("en", "baby_reacts", "5", BACK),  # the back button is the fifth, as the chat numbers it
    ("en", "age_band", "6-12 months", "6_12m"),
    ("en", "role", "I'm the father", "father"),
    ("sv", "age_band", "under 6 manader", "under_6m"),
    ("sv", "role", "jag ar mamma", "mother"),
    # one option's words, short phrases, hedges
    ("en", "baby_reacts", "often", "often"),
    ("en", "baby_reacts", "Often!", "often"),
    ("en", "baby_reacts", "never", "rarely"),
    ("en", "baby_reacts", "I don't know", "not_sure"),
    ("en", "baby_reacts", "not sure", "not_sure"),
    ("en", "baby_distress", "yes, often", "often"),
    ("en", "wellbeing", "mostly ok", "mostly_ok"),
    ("en", "wellbeing", "pretty tired", "strained"),
    ("en", "sleep_feeding", "sleeping", "sleep"),
    ("en", "wish_main", "concrete advice", "advice"),
    ("en", "wish_main", "to understand", "understand"),
    ("en", "age_band", "older", "over_3y"),
    ("en", "role", "the mother", "mother"),
    ("sv", "baby_reacts", "ofta", "often"),
    ("sv", "baby_reacts", "ja ofta", "often"),
    ("sv", "baby_reacts", "typ ibland", "sometimes"),
    ("sv", "baby_reacts", "aldrig", "rarely"),
    ("sv", "baby_reacts", "vet inte", "not_sure"),
    ("sv", "wellbeing", "ganska trött", "strained"),
    ("sv", "sleep_feeding", "sömnen", "sleep"),
    ("sv", "age_band", "äldre", "over_3y"),
    # yes and no, in either language, where the question has them
    ("en", "wish_alone", "yes", "yes"),
    ("en", "wish_alone", "yes please", "yes"),
    ("en", "wish_alone", "nope", "no"),
    ("en", "wish_alone", "not really", "no"),
    ("en", "wish_alone", "sometimes", "sometimes"),
    ("sv", "wish_alone", "nej", "no"),
    ("sv", "wish_alone", "ja", "yes"),
    ("sv", "wish_alone", "ja ibland", "sometimes"),
    ("en", "safety", "no", "no"),
    ("sv", "safety", "nej", "no"),
    ("en", "safety", "4", "yes_self"),
    ("en", "consent", "yes", "yes"),
    ("sv", "consent", "nej tack", "no"),
    # not an answer: ambiguous, negated, or a yes/no where the question has none
    ("en", "baby_reacts", "yes", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "nej", NOT_AN_ANSWER),
    ("en", "baby_reacts", "not often", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "inte ofta", NOT_AN_ANSWER),
    ("en", "baby_reacts", "banana", NOT_AN_ANSWER),
    ("en", "wellbeing", "ok", NOT_AN_ANSWER),
    ("en", "wellbeing", "not good", NOT_AN_ANSWER),
    ("en", "age_band", "8", NOT_AN_ANSWER),  # no eighth button, and a number alone is no age
    ("en", "age_band", "6 months", "6_12m"),  # a typed age: six completed months
    ("sv", "age_band", "1,5 år", "1_2y"),
    # sentences that hold an option's word are never an answer
    ("en", "baby_reacts", "sometimes I feel like nobody sees me", NOT_AN_ANSWER),
    ("en", "baby_reacts", "sometimes I feel sad", NOT_AN_ANSWER),
    ("en", "baby_reacts", "he cries often when I am sad", NOT_AN_ANSWER),
    ("en", "baby_distress", "never wake up", NOT_AN_ANSWER),
    ("en", "wish_alone", "yes I think I would say so most days", NOT_AN_ANSWER),
    ("en", "wellbeing", "I feel low and tired every single day", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "ibland vill jag bara försvinna", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "ibland vill jag", NOT_AN_ANSWER),
    ("sv", "wish_alone", "ja jag är helt ensam med allt", NOT_AN_ANSWER),
    # navigation: the button's words, never words inside a sentence
    ("en", "baby_reacts", "back", BACK),
    ("en", "baby_reacts", "⬅️ Back", BACK),
    ("en", "baby_reacts", "go back", BACK),
    ("sv", "baby_reacts", "tillbaka", BACK),
    ("en", "baby_reacts", "I hurt my back carrying the car seat", NOT_AN_ANSWER),
    ("en", "baby_reacts", "my back hurts", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "ska vi gå tillbaka till frågan innan", NOT_AN_ANSWER),
    ("en", "baby_reacts", "stop", NOT_AN_ANSWER),
    ("en", "baby_reacts", "please just stop asking me this", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "sluta", NOT_AN_ANSWER),
    ("sv", "baby_reacts", "jag vill sluta", NOT_AN_ANSWER),
]

#: The question before each one above, where going back must lead.
BEFORE = {"baby_reacts": "age_band", "baby_distress": "baby_reacts"}


def at_question(lang: str, question: str) -> Conversation:
    answers = {"role": "mother", "age_band": "6_12m"} if question not in ("role", "consent") else {}
    return Conversation(
        state=question,
        lang="sv" if lang == "sv" else "en",
        answers=answers,
        history=list(answers),
        revision=4,
    )


@pytest.mark.parametrize(("lang", "question", "typed", "meaning"), TYPED)
def test_what_a_typed_text_means(lang: str, question: str, typed: str, meaning: str | None) -> None:
    conv = at_question(lang, question)
    step = ENGINE.handle(conv, Text(typed))
    after = step.conversation
    keys = [reply.key for reply in step.replies]
    if meaning == BACK:
        assert after.state == BEFORE[question], keys
        assert after.answers == conv.answers
    elif meaning is NOT_AN_ANSWER:
        assert (after.state, after.answers) == (question, conv.answers), keys
        # The same question again; after a danger-level reply, the safe-check before it.
        asked = "safe_check" if keys[0] == "crisis.danger" else None
        assert keys[-1] in (f"q.{question}", f"prompt.{question}", asked), "not consumed"
        wanted = "reask.heard" if is_sentence(typed) else "reask"
        assert wanted in keys or keys[0].startswith("crisis."), keys
    elif question == "consent":
        assert after.state == ("role" if meaning == "yes" else "declined")
    else:
        assert after.answers.get(question) == meaning, keys
        assert after.state != question or keys[0].startswith("crisis.")


def test_a_sentence_is_more_than_a_few_words() -> None:
    assert not is_sentence("I'm not sure, really")
    assert is_sentence("sometimes I feel like that")
    assert PHRASE_WORDS == 4


def test_a_sentence_that_is_exactly_an_options_label_is_that_option() -> None:
    options = (Option("understand", "To understand how my baby and I affect each other"),)
    assert (
        match_option("to understand how my baby and I affect each other", options) == "understand"
    )


def test_a_plain_yes_in_either_language() -> None:
    assert all(says_yes(text) for text in ("yes", "Ja!", "yes please", "japp"))
    assert not any(says_yes(text) for text in ("yes often", "nej", "", "ja men ibland"))


def test_the_sentence_gets_a_warm_word_not_sorry() -> None:
    sentence = Text("sometimes I feel like nobody sees me")
    step = ENGINE.handle(at_question("en", "baby_reacts"), sentence)
    assert [r.key for r in step.replies] == ["reask.heard", "q.baby_reacts"]
    assert "Sorry" not in step.replies[0].text
    assert step.replies[-1].options, "the question comes again with its buttons"
