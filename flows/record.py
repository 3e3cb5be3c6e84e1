"""The anonymised intake record of a finished conversation: codes only, nothing identifying.

Its fields and the codes each may hold are declared here, from the questions, the routing and
the model. Storage keeps its own copy (storage must not import flows); tests/test_codes.py
checks that copy, and the migrations, against this one.
"""

from __future__ import annotations

from typing import get_args

from flows.model import LANGUAGES, SAFETY_LEVELS, Conversation
from flows.questions import QUESTION_BY_KEY, QUESTION_KEYS, SUGGESTION, questions_on_path
from flows.routing import BabyJudgement, ParentJudgement, Routing, Suggestion, route_for

#: How an intake ended: a suggestion, or the child is past the ages MIP serves.
OUTCOMES: tuple[str, ...] = ("suggestion", "older_child")
#: Questions stored in a column of their own name; the safety answer and the note are apart.
ASKED_FIELDS: tuple[str, ...] = tuple(k for k in QUESTION_KEYS if k not in ("safety", "free_text"))
#: Questions asked up to flow version 2, that asked the main wish again: their columns stay,
#: so earlier intakes keep their answers, and are blank from version 3 on. (column, codes)
RETIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "wish_understand": ("yes", "maybe", "no"),
    "wish_advice": ("yes", "maybe", "no"),
}
#: Every answer column in order; the retired ones where they were asked, after the main wish.
_AFTER = ASKED_FIELDS.index("wish_main") + 1
ANSWER_FIELDS: tuple[str, ...] = (*ASKED_FIELDS[:_AFTER], *RETIRED_FIELDS, *ASKED_FIELDS[_AFTER:])

#: Every column of an intake record, in order (storage adds its id and the ISO week).
RECORD_FIELDS: tuple[str, ...] = (
    "flow_version",
    "lang",
    "clinic",
    "outcome",
    *ANSWER_FIELDS,
    "safety_answer",
    "baby_judgement",
    "parent_judgement",
    "suggestion",
    "safety_level",
    "free_text",
)

#: The codes each coded field may hold, in the order they are shown.
RECORD_CODES: dict[str, tuple[str, ...]] = {
    "lang": LANGUAGES,
    "outcome": OUTCOMES,
    **{
        key: QUESTION_BY_KEY[key].codes if key in QUESTION_BY_KEY else RETIRED_FIELDS[key]
        for key in ANSWER_FIELDS
    },
    "safety_answer": QUESTION_BY_KEY["safety"].codes,
    "baby_judgement": get_args(BabyJudgement),
    "parent_judgement": get_args(ParentJudgement),
    "suggestion": get_args(Suggestion),
    "safety_level": SAFETY_LEVELS,
}


def intake_record(
    conversation: Conversation, routing: Routing | None = None
) -> dict[str, str | int | None]:
    """The record to store for a conversation that reached a suggestion (or the older-child end).

    ``routing`` is the one the suggestion was given from (worked out here when not given). The
    free text is still raw here: storage scrubs it before writing.
    """
    routing = routing or route_for(conversation.answers)
    # Only the answers of the path taken: a parent who changed the age to an older child's
    # from the summary leaves their earlier answers about a baby out of the record.
    path = questions_on_path(conversation.answers)
    answers = {key: code for key, code in conversation.answers.items() if key in path}
    free_text = answers.get("free_text")
    finished = conversation.state == SUGGESTION  # the older-child path skips the judged questions
    record: dict[str, str | int | None] = {
        "flow_version": conversation.version,
        "lang": conversation.lang,
        "clinic": conversation.clinic,
        "outcome": OUTCOMES[0] if finished else OUTCOMES[1],
        **{key: answers.get(key) for key in ANSWER_FIELDS},
        "safety_answer": answers.get("safety"),
        "baby_judgement": routing.baby if finished else None,
        "parent_judgement": routing.parent if finished else None,
        "suggestion": routing.suggestion,
        "safety_level": conversation.safety,
        "free_text": None if free_text in (None, "skip") else free_text,
    }
    return record
