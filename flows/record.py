"""The anonymised intake record of a finished conversation: codes only, nothing identifying."""

from __future__ import annotations

from flows.model import Conversation
from flows.questions import QUESTION_KEYS, SUGGESTION
from flows.routing import route_for

#: Every column of an intake record, in order (storage adds its id and the ISO week).
RECORD_FIELDS: tuple[str, ...] = (
    "flow_version",
    "lang",
    "clinic",
    "outcome",
    *(key for key in QUESTION_KEYS if key not in ("safety", "free_text")),
    "safety_answer",
    "baby_judgement",
    "parent_judgement",
    "suggestion",
    "safety_level",
    "free_text",
)


def intake_record(conversation: Conversation) -> dict[str, str | int | None]:
    """The record to store for a conversation that reached a suggestion (or the older-child end).

    The free text is still raw here: storage scrubs it before writing.
    """
    answers = conversation.answers
    routing = route_for(answers)
    free_text = answers.get("free_text")
    record: dict[str, str | int | None] = {
        "flow_version": conversation.version,
        "lang": conversation.lang,
        "clinic": conversation.clinic,
        "outcome": "suggestion" if conversation.state == SUGGESTION else "older_child",
    }
    record.update(
        {key: answers.get(key) for key in QUESTION_KEYS if key not in ("safety", "free_text")}
    )
    finished = record["outcome"] == "suggestion"  # the older-child path skips the judged questions
    record.update(
        safety_answer=answers.get("safety"),
        baby_judgement=routing.baby if finished else None,
        parent_judgement=routing.parent if finished else None,
        suggestion=routing.suggestion,
        safety_level=conversation.safety,
        free_text=None if free_text in (None, "skip") else free_text,
    )
    return record
