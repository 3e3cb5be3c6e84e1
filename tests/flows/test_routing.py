"""The routing table, cell by cell, and judgements that never rest on one answer."""

from __future__ import annotations

import itertools
import typing
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.questions import QUESTION_BY_KEY
from flows.routing import (
    BABY_SIGNALS,
    REASON_KEYS,
    ROUTING_TABLE,
    WISH_POINTS,
    Suggestion,
    judge_baby,
    judge_parent,
    route_for,
)
from tests.support import BABY, EXPECTED_SUGGESTION, PARENT


def answers_for(baby: str, parent: str) -> dict[str, str]:
    return {
        **dict(zip(BABY_SIGNALS, BABY[baby], strict=True)),
        **dict(zip(WISH_POINTS, PARENT[parent], strict=True)),
        "age_band": "under_6m",
    }


@pytest.mark.parametrize(("baby", "parent"), sorted(EXPECTED_SUGGESTION))
def test_each_cell_of_the_table(baby: str, parent: str) -> None:
    routing = route_for(answers_for(baby, parent))
    assert (routing.baby, routing.parent) == (baby, parent)
    assert routing.suggestion == EXPECTED_SUGGESTION[(baby, parent)]
    assert routing.reasons


#: Answers that say nothing either way ("sometimes" feeling alone leans neither way; since flow
#: version 3 a "no" leans towards wanting to understand, see flows/routing.py).
NEUTRAL = {
    "baby_reacts": "not_sure",
    "baby_distress": "not_sure",
    "baby_withdrawn": "not_sure",
    "wish_main": "not_sure",
    "wish_alone": "sometimes",
}


@pytest.mark.parametrize("key", [*BABY_SIGNALS, *WISH_POINTS])
def test_no_single_answer_decides_a_judgement(key: str) -> None:
    for code in QUESTION_BY_KEY[key].codes:
        answers = {**NEUTRAL, key: code}
        assert judge_baby(answers) == "unclear"
        assert judge_parent(answers) == "mixed"


def test_older_child_overrides_the_table() -> None:
    answers = {**answers_for("affected", "understand"), "age_band": "over_3y"}
    assert route_for(answers).suggestion == "older_child"


answer_sets = st.fixed_dictionaries(
    {
        key: st.sampled_from(QUESTION_BY_KEY[key].codes)
        for key in (*BABY_SIGNALS, *WISH_POINTS, "age_band")
    }
)


#: What each reason says, as a condition on the answers it may be given for: a reason is never
#: said of answers that contradict it.
CLAIMS: dict[str, Callable[[dict[str, str]], bool]] = {
    "why.baby.affected": lambda a: judge_baby(a) == "affected",
    "why.baby.not_affected": lambda a: judge_baby(a) == "not_affected",
    "why.baby.unclear": lambda a: judge_baby(a) == "unclear",
    "why.parent.understand": lambda a: a["wish_main"] == "understand" and a["wish_alone"] == "no",
    "why.parent.advice": lambda a: a["wish_main"] == "advice" and a["wish_alone"] == "yes",
    "why.parent.mixed_understand": lambda a: (
        a["wish_main"] == "understand" and a["wish_alone"] in ("yes", "sometimes")
    ),
    "why.parent.mixed_advice": lambda a: a["wish_main"] == "advice",
    "why.parent.both": lambda a: a["wish_main"] == "both",
    "why.parent.not_sure": lambda a: a["wish_main"] == "not_sure",
}


def test_every_reason_has_its_claim() -> None:
    assert set(CLAIMS) == REASON_KEYS


@given(answer_sets)
def test_routing_is_total_and_its_reasons_are_true_and_never_contradict(
    answers: dict[str, str],
) -> None:
    routing = route_for(answers)
    if routing.suggestion == "older_child":
        assert routing.reasons == ()
        return
    baby, wish = routing.reasons  # one sentence for each judgement, never one per answer
    assert baby.startswith("why.baby.")
    assert wish.startswith("why.parent.")
    for reason in routing.reasons:
        assert CLAIMS[reason](answers), reason


def test_more_signals_never_make_a_baby_less_affected() -> None:
    order = {"affected": 2, "unclear": 1, "not_affected": 0}
    levels = ("rarely", "sometimes", "often")
    for combo in itertools.product(levels, repeat=3):
        base = dict(zip(BABY_SIGNALS, combo, strict=True))
        for key in BABY_SIGNALS:
            index = levels.index(base[key])
            if index < 2:
                more = {**base, key: levels[index + 1]}
                assert order[judge_baby(more)] >= order[judge_baby(base)]


def test_every_suggestion_code_is_one_the_table_or_the_older_child_path_gives() -> None:
    assert set(typing.get_args(Suggestion)) == {*ROUTING_TABLE.values(), "older_child"}
