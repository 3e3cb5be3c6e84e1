"""The conversation's state machine: one `transitions` machine, built once, from the screens.

Its transitions are generated from the screens' data (flows/screens.py): where advance and
back lead, the branches taken under a condition, the buttons' own triggers. Conditions read
the trigger's arguments (the conversation and the chosen option's code), which `transitions`
passes to every condition; the model on the machine carries nothing else.
"""

from __future__ import annotations

from typing import Any

from transitions import Machine

from flows.model import Conversation
from flows.questions import (
    FINAL_STATES,
    STATES,
    STOPPED,
    SUMMARY,
    WELCOME,
    on_older_child_path,
    path_is_answered,
)
from flows.screens import STEPS


def transition_table() -> list[dict[str, Any]]:
    """Every transition, generated from the screens; a branch comes before the usual way."""
    rows: list[dict[str, Any]] = []
    for screen in STEPS:
        rows += [
            {"trigger": b.trigger, "source": screen.name, "dest": b.dest, "conditions": b.condition}
            for b in screen.branches
        ]
        for trigger, dest in (("advance", screen.next), ("go_back", screen.back)):
            if dest:
                rows.append({"trigger": trigger, "source": screen.name, "dest": dest})
        rows += [
            {"trigger": button.trigger, "source": screen.name, "dest": button.to}
            for button in screen.buttons
            if button.to
        ]
    # Commands work from anywhere: start over, or stop a conversation that has not ended.
    rows.append({"trigger": "restart", "source": "*", "dest": WELCOME})
    rows.append(
        {"trigger": "stop", "source": [s for s in STATES if s not in FINAL_STATES], "dest": STOPPED}
    )
    return rows


class Cursor:
    """The one model on the machine. Its conditions read the trigger's arguments only."""

    state: str

    @staticmethod
    def declines(conversation: Conversation, choice: str) -> bool:
        return choice == "no"

    @staticmethod
    def older_child(conversation: Conversation, choice: str) -> bool:
        return on_older_child_path(conversation.answers)

    @staticmethod
    def editing(conversation: Conversation, choice: str) -> bool:
        """Changing an answer from the summary, with nothing left to ask on the path."""
        return conversation.return_to == SUMMARY and path_is_answered(conversation.answers)


def build_machine(model: object | None = None, **extra: Any) -> Machine:
    """The conversation's state machine (also used, with a graph class, to draw the diagram)."""
    machine_class: type[Machine] = extra.pop("machine_class", Machine)
    return machine_class(
        model=model,
        states=list(STATES),
        transitions=transition_table(),
        initial=WELCOME,
        auto_transitions=False,
        **extra,
    )


class Stepper:
    """Fires triggers for any conversation on one machine and one reused model (set_state)."""

    def __init__(self) -> None:
        self._cursor = Cursor()
        self._machine = build_machine(self._cursor)

    def fire(self, conversation: Conversation, trigger: str, choice: str = "") -> str:
        """The state the conversation is in after ``trigger`` (the code chosen goes along)."""
        cursor = self._cursor
        self._machine.set_state(conversation.state, model=cursor)
        cursor.trigger(trigger, conversation, choice)  # type: ignore[attr-defined]
        return cursor.state
