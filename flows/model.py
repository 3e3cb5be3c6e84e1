"""Plain data in and out of the engine: inputs, replies, effects, the saved conversation."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

#: Bumped whenever questions or their codes change; a saved conversation of another
#: version is started afresh (kindly) instead of being misread. Version 3: the two wish
#: follow-ups that asked the main wish again (wish_understand, wish_advice) are gone.
FLOW_VERSION = 3

Language = Literal["en", "sv"]
LANGUAGES: tuple[Language, ...] = ("en", "sv")

#: Safety levels, in increasing order of urgency. The record keeps only the highest one shown.
SAFETY_LEVELS = ("none", "unwanted_thoughts", "danger")


@dataclass(frozen=True, slots=True)
class Tap:
    """A button press: the question it belonged to and the option's code."""

    question: str
    code: str
    revision: int | None = None  # the conversation revision the keyboard was drawn for


@dataclass(frozen=True, slots=True)
class Text:
    """Anything the parent typed."""

    text: str


@dataclass(frozen=True, slots=True)
class Command:
    """A navigation command such as back, restart or delete (`/start` carries a clinic code)."""

    name: str
    arg: str = ""


@dataclass(frozen=True, slots=True)
class Aside:
    """A message that is not the parent's own typed words or a button: never an answer.

    A photo, a sticker, an edit, a forwarded or quoted message... ``note`` is the catalog key
    of the short note that says what happened to it; ``text`` (a caption, the edited or
    forwarded words) is read for crisis signals only, and kept nowhere.
    """

    note: str
    text: str = ""


Input = Tap | Text | Command | Aside


@dataclass(frozen=True, slots=True)
class Option:
    """One button: the code sent back when tapped and the label shown."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to show the parent, in order."""

    key: str  # catalog key, for tests and logs (never the rendered text)
    text: str  # rendered, plain text: the adapter escapes it for its parse mode
    options: tuple[Option, ...] = ()
    question: str | None = None  # the question this reply asks, if any
    accepts_text: bool = False  # True where a typed answer is welcome (free text)
    kind: Literal["info", "question", "crisis"] = "info"
    #: Shown as a message of its own, not joined to the texts around it: a crisis reply, the
    #: suggestion's headline.
    alone: bool = False
    #: Worth keeping in the chat once read: a crisis reply, the privacy notice, the suggestion,
    #: the summary, the welcome and consent. An adapter that redraws one message as the
    #: conversation goes (a tap's answer drawn over the tapped question) never draws over
    #: it. A question, or a note that belongs to the answer just given, does not stay.
    stays: bool = False


@dataclass(frozen=True, slots=True)
class Effect:
    """Something the caller must do after the step; the engine itself does nothing.

    kinds: ``progress`` (a question reached for the first time: ``value`` is its key),
    ``complete`` (store ``record``, the intake record of this conversation), ``discard``
    (forget the unfinished conversation and store nothing), ``erase`` (the parent asked to
    delete everything: the session and every intake linked to them).
    """

    kind: Literal["progress", "complete", "discard", "erase"]
    value: str = ""
    record: Mapping[str, str | int | None] | None = None


@dataclass(slots=True)
class Conversation:
    """The whole saved state of one parent's conversation; round-trips through JSON."""

    state: str = "welcome"
    lang: Language = "en"
    answers: dict[str, str] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # questions answered, for "back"
    safety: str = "none"  # highest safety level shown so far
    clinic: str = ""  # from the deep link, or the configured default
    revision: int = 0  # bumped on every step; stale keyboards carry an older one
    furthest: int = 0  # index of the furthest question reached, for anonymous progress counts
    return_to: str = ""  # "summary" while an answer is being changed from the summary
    pending: str = ""  # "language" or "delete" while that choice is on screen; the state stays put
    #: After a danger-level reply the conversation waits for the parent to say they are safe
    #: and want to go on: "stay" (then show this step again) or "advance" (then move on).
    safe_check: str = ""
    version: int = FLOW_VERSION

    def to_json(self) -> str:
        # Not dataclasses.asdict: its recursive deep copy is most of the cost of a step.
        data = {name: getattr(self, name) for name in _CONVERSATION_FIELDS}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> Conversation:
        data: dict[str, Any] = json.loads(raw)
        known = {name: data[name] for name in _CONVERSATION_FIELDS if name in data}
        return cls(**known)


_CONVERSATION_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Conversation))


@dataclass(frozen=True, slots=True)
class Step:
    """What one input did: the conversation after it, the replies, the effects."""

    conversation: Conversation
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...] = ()
