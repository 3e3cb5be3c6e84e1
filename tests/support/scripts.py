"""Whole conversations as readable scripts, shared by the engine tests and the bot tests.

A script is a list of lines ``(what the parent sends, a reply key that must come back, the
state it must end in)``. What the parent sends is typed text, or ``"tap:<code>"`` for the
button with that code on the last question shown. ``None`` skips a check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flows.engine import Engine
from flows.model import Conversation, Reply, Step, Tap, Text
from flows.questions import QUESTION_BY_KEY

Line = tuple[str, str | None, str | None]

#: Answers to the safety question whose reply is the danger level: the conversation then waits.
DANGER_ANSWERS = frozenset(
    code for code, level in QUESTION_BY_KEY["safety"].levels if level == "danger"
)

#: Answers (by code) that put a parent in each cell of PRODUCT.md's routing table.
BABY: Mapping[str, tuple[str, str, str]] = {
    # baby_reacts, baby_distress, baby_withdrawn
    "affected": ("often", "sometimes", "rarely"),
    "not_affected": ("rarely", "rarely", "sometimes"),
    "unclear": ("often", "rarely", "rarely"),
}
PARENT: Mapping[str, tuple[str, str]] = {
    # wish_main, wish_alone (flow version 2 also asked wish_understand and wish_advice; these
    # profiles answered them yes/no, no/yes and maybe/maybe, and judge as they did then)
    "understand": ("understand", "no"),
    "advice": ("advice", "yes"),
    "mixed": ("both", "no"),
}
EXPECTED_SUGGESTION = {
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


def intake_script(
    baby: str = "affected",
    parent: str = "understand",
    *,
    role: str = "mother",
    age: str = "6_12m",
    safety: str = "no",
    free_text: str = "tap:skip",
) -> list[Line]:
    """A complete intake that lands in one routing cell, ending at the suggestion."""
    reacts, distress, withdrawn = BABY[baby]
    main, alone = PARENT[parent]
    suggestion = EXPECTED_SUGGESTION[(baby, parent)]
    return [
        ("/start", "prompt.welcome", "welcome"),
        ("tap:begin", "prompt.consent", "consent"),
        ("tap:yes", "q.role", "role"),
        (f"tap:{role}", "q.age_band", "age_band"),
        (f"tap:{age}", "q.baby_reacts", "baby_reacts"),
        (f"tap:{reacts}", "q.baby_distress", "baby_distress"),
        (f"tap:{distress}", "q.baby_withdrawn", "baby_withdrawn"),
        (f"tap:{withdrawn}", "q.sleep_feeding", "sleep_feeding"),
        ("tap:sleep", "q.wish_main", "wish_main"),
        (f"tap:{main}", "q.wish_alone", "wish_alone"),
        (f"tap:{alone}", "q.wellbeing", "wellbeing"),
        ("tap:mostly_ok", "q.safety", "safety"),
        *safety_lines(safety),
        (free_text, "summary", "summary"),
        ("tap:confirm", f"suggest.{suggestion}", "done"),
    ]


def until(script: list[Line], state: str) -> list[Line]:
    """The script's lines up to the first that ends in ``state`` (that line included)."""
    return script[: _index(script, state) + 1]


def after(script: list[Line], state: str) -> list[Line]:
    """The script's lines after the first that ends in ``state``."""
    return script[_index(script, state) + 1 :]


def _index(script: list[Line], state: str) -> int:
    return next(n for n, (_, _, ends_in) in enumerate(script) if ends_in == state)


def safety_lines(answer: str, then: str = "free_text") -> list[Line]:
    """Answering the safety question; after a danger-level answer, the parent goes on."""
    if answer in DANGER_ANSWERS:
        return [(f"tap:{answer}", "safe_check", "safety"), ("tap:go_on", f"q.{then}", then)]
    return [(f"tap:{answer}", f"q.{then}", then)]


@dataclass
class Player:
    """Plays scripts against the pure engine, keeping the conversation and every reply."""

    engine: Engine
    conversation: Conversation
    steps: list[Step] = field(default_factory=list)

    @property
    def last_prompt(self) -> Reply:
        """The last reply that asked something (the one a tap answers)."""
        for step in reversed(self.steps):
            for reply in reversed(step.replies):
                if reply.question:
                    return reply
        raise AssertionError("nothing has been asked yet")

    def send(self, what: str) -> Step:
        if what.startswith("tap:"):
            code = what.removeprefix("tap:")
            prompt = self.last_prompt
            assert code in {o.code for o in prompt.options}, f"no button {code!r} on {prompt.key}"
            event: Tap | Text = Tap(prompt.question or "", code, self.conversation.revision)
        else:
            event = Text(what)
        step = self.engine.handle(self.conversation, event)
        self.conversation = step.conversation
        self.steps.append(step)
        return step

    def play(self, script: Iterable[Line]) -> None:
        for number, (what, key, state) in enumerate(script, 1):
            step = self.send(what)
            keys = [reply.key for reply in step.replies]
            if key is not None:
                assert key in keys, f"line {number} {what!r}: expected {key!r}, got {keys}"
            if state is not None:
                assert self.conversation.state == state, (
                    f"line {number} {what!r}: expected {state!r}, got {self.conversation.state!r}"
                )

    def effects(self) -> list[tuple[str, str]]:
        return [(e.kind, e.value) for step in self.steps for e in step.effects]


def player(lang: str = "en", engine: Engine | None = None) -> Player:
    engine = engine or Engine()
    return Player(engine, engine.new_conversation(lang))
