"""The two judgements and the suggestion, from PRODUCT.md's routing table.

Neither judgement rests on one answer: each adds up several answers, and a single strong
answer alone lands in "unclear" / "mixed". The judgements are internal codes; parents see
only the suggestion and the reasons, drawn from their own answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

from flows.questions import on_older_child_path

BabyJudgement = Literal["affected", "not_affected", "unclear"]
ParentJudgement = Literal["understand", "advice", "mixed"]
Suggestion = Literal[
    "mip", "mip_with_guidance", "mip_may_suit", "chc", "chc_first", "both", "older_child"
]

#: How much each answer about the baby says that the baby is affected by the parent's distress.
BABY_SIGNAL_POINTS: Final = {"often": 2, "sometimes": 1, "rarely": 0}
BABY_SIGNALS: Final = ("baby_reacts", "baby_distress", "baby_withdrawn")

#: (points towards "understand", points towards "advice") for each answer about the wish.
WISH_POINTS: Final[Mapping[str, Mapping[str, tuple[int, int]]]] = {
    "wish_main": {"understand": (2, 0), "advice": (0, 2), "both": (1, 1)},
    "wish_understand": {"yes": (2, 0), "maybe": (1, 0)},
    "wish_advice": {"yes": (0, 2), "maybe": (0, 1)},
    "wish_alone": {"yes": (0, 1)},
}

#: PRODUCT.md's table, cell by cell: (baby, parent) -> suggestion.
ROUTING_TABLE: Final[Mapping[tuple[BabyJudgement, ParentJudgement], Suggestion]] = {
    ("affected", "understand"): "mip",
    ("affected", "advice"): "mip_with_guidance",
    ("affected", "mixed"): "mip",
    ("not_affected", "understand"): "mip_may_suit",
    ("not_affected", "advice"): "chc",
    ("not_affected", "mixed"): "chc_first",
    ("unclear", "understand"): "both",
    ("unclear", "advice"): "chc",
    ("unclear", "mixed"): "both",
}


def judge_baby(answers: Mapping[str, str]) -> BabyJudgement:
    """Affected when the signals add up to 3 or more points over at least two known answers."""
    known = [
        BABY_SIGNAL_POINTS[answers[key]]
        for key in BABY_SIGNALS
        if answers.get(key) in BABY_SIGNAL_POINTS
    ]
    if len(known) < 2:
        return "unclear"
    points = sum(known)
    if points >= 3:
        return "affected"
    if points <= 1:
        return "not_affected"
    return "unclear"


def wish_points(answers: Mapping[str, str]) -> tuple[int, int]:
    """Points towards wanting to understand and towards wanting concrete advice."""
    understand = advice = 0
    for key, table in WISH_POINTS.items():
        u, a = table.get(answers.get(key, ""), (0, 0))
        understand += u
        advice += a
    return understand, advice


def judge_parent(answers: Mapping[str, str]) -> ParentJudgement:
    """A clear wish needs at least 3 points and a lead of 2 over the other wish."""
    understand, advice = wish_points(answers)
    if understand >= 3 and understand - advice >= 2:
        return "understand"
    if advice >= 3 and advice - understand >= 2:
        return "advice"
    return "mixed"


@dataclass(frozen=True, slots=True)
class Routing:
    baby: BabyJudgement
    parent: ParentJudgement
    suggestion: Suggestion
    reasons: tuple[str, ...]  # catalog keys, each a sentence built on one of the parent's answers


#: Answers about the baby that a reason is given for.
TELLING_SIGNALS: Final = ("often", "sometimes")
WHY_SETTLED: Final = "why.baby.settled"
WHY_UNCLEAR: Final = "why.baby.unclear"
WHY_OLDER: Final = "why.age.older"


def why_key(question: str, code: str) -> str:
    """The catalog key of the reason built on one answer."""
    return f"why.{question}.{code}"


#: Every reason a suggestion can give, as catalog keys.
REASON_KEYS: Final = frozenset(
    {
        *(why_key(key, code) for key in BABY_SIGNALS for code in TELLING_SIGNALS),
        *(why_key(key, code) for key, table in WISH_POINTS.items() for code in table),
        WHY_SETTLED,
        WHY_UNCLEAR,
        WHY_OLDER,
    }
)


def reasons_for(answers: Mapping[str, str], baby: BabyJudgement) -> tuple[str, ...]:
    """Catalog keys of the sentences that explain the suggestion from the parent's answers."""
    keys = [
        why_key(key, answers[key]) for key in BABY_SIGNALS if answers.get(key) in TELLING_SIGNALS
    ]
    if baby == "not_affected":
        keys.append(WHY_SETTLED)
    elif baby == "unclear" and not keys:
        keys.append(WHY_UNCLEAR)
    for key, table in WISH_POINTS.items():
        code = answers.get(key, "")
        if code in table:
            keys.append(why_key(key, code))
    return tuple(keys)


def route_for(answers: Mapping[str, str]) -> Routing:
    """The judgements, the suggestion and its reasons for a finished set of answers."""
    baby = judge_baby(answers)
    parent = judge_parent(answers)
    if on_older_child_path(answers):
        return Routing(baby, parent, "older_child", (WHY_OLDER,))
    return Routing(baby, parent, ROUTING_TABLE[(baby, parent)], reasons_for(answers, baby))
