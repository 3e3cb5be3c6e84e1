"""The two judgements and the suggestion, from PRODUCT.md's routing table.

Neither judgement rests on one answer: each adds up several answers, and a single strong
answer alone lands in "unclear" / "mixed". The judgements are internal codes; parents see
only the suggestion and one sentence for each judgement, in plain words.
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
#: The wish question says which help the parent hopes for; the follow-up adds whether they feel
#: left alone with it, the mark of the research's second group (who felt left out in a hard
#: situation and wanted advice and support). Feeling left alone leans towards advice; not
#: feeling so leans towards the first group, who sensed their part and wanted to understand;
#: "sometimes" says neither. A clear wish needs both answers to agree.
WISH_POINTS: Final[Mapping[str, Mapping[str, tuple[int, int]]]] = {
    "wish_main": {"understand": (2, 0), "advice": (0, 2), "both": (1, 1)},
    "wish_alone": {"yes": (0, 1), "no": (1, 0)},
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
    #: Catalog keys of the sentences that say why: one for each judgement, chosen from the
    #: judgement itself, so the reasons can never contradict each other or the suggestion.
    reasons: tuple[str, ...]


#: The sentence for each judgement about the baby.
BABY_REASONS: Final[Mapping[BabyJudgement, str]] = {
    "affected": "why.baby.affected",
    "not_affected": "why.baby.not_affected",
    "unclear": "why.baby.unclear",
}
#: The sentence for each judgement about the parent's wish; a mixed one is said from the main
#: wish (which alone decides nothing), so it is true to what the parent chose.
PARENT_REASONS: Final[Mapping[ParentJudgement, str]] = {
    "understand": "why.parent.understand",
    "advice": "why.parent.advice",
}
MIXED_REASONS: Final[Mapping[str, str]] = {
    "understand": "why.parent.mixed_understand",
    "advice": "why.parent.mixed_advice",
    "both": "why.parent.both",
    "not_sure": "why.parent.not_sure",
}

#: Every reason a suggestion can give, as catalog keys.
REASON_KEYS: Final = frozenset(
    {*BABY_REASONS.values(), *PARENT_REASONS.values(), *MIXED_REASONS.values()}
)


def reasons_for(
    answers: Mapping[str, str], baby: BabyJudgement, parent: ParentJudgement
) -> tuple[str, str]:
    """Catalog keys of the two sentences that explain the suggestion: the baby, the wish."""
    mixed = MIXED_REASONS.get(answers.get("wish_main", ""), MIXED_REASONS["not_sure"])
    return (BABY_REASONS[baby], PARENT_REASONS.get(parent, mixed))


def route_for(answers: Mapping[str, str]) -> Routing:
    """The judgements, the suggestion and its reasons for a finished set of answers."""
    baby = judge_baby(answers)
    parent = judge_parent(answers)
    if on_older_child_path(answers):
        return Routing(baby, parent, "older_child", ())
    suggestion = ROUTING_TABLE[(baby, parent)]
    return Routing(baby, parent, suggestion, reasons_for(answers, baby, parent))
