"""The screens are data the engine and the machine can rely on: every button does one known
thing, every way leads to a state, and the machine is built from them."""

from __future__ import annotations

import pytest

import flows.moves
import flows.record
from flows.engine import Engine
from flows.machine import Cursor, Stepper, transition_table
from flows.model import Conversation
from flows.parsing import COMMANDS
from flows.questions import QUESTIONS, STATES
from flows.routing import route_for
from flows.screens import MOVES, OVERLAYS, SCREENS, STEPS, Screen
from tests.support import intake_script, player


def test_one_step_screen_per_state_in_the_conversations_order() -> None:
    assert tuple(screen.name for screen in STEPS) == STATES
    assert not {screen.name for screen in OVERLAYS} & set(STATES)
    assert [s.question for s in STEPS if s.question] == list(QUESTIONS)


@pytest.mark.parametrize("screen", SCREENS.values(), ids=lambda screen: screen.name)
def test_every_button_does_exactly_one_known_thing(screen: Screen) -> None:
    codes = [button.code for button in screen.buttons]
    assert len(codes) == len(set(codes)), "a code names one button"
    for button in screen.buttons:
        does = [bool(button.move), bool(button.trigger and not button.move), bool(button.show)]
        assert sum(does) == 1, f"{screen.name}/{button.code}"
        assert button.move is None or button.move in MOVES
        assert not button.to or button.to in STATES
    for code in (screen.yes, screen.no):
        assert not code or code in codes or code in ("yes", "no")


def test_every_move_and_command_is_one_the_engine_makes() -> None:
    moves = Engine().moves
    assert set(moves.of_button) == set(MOVES)
    assert set(moves.of_command) == COMMANDS


def test_every_way_leads_to_a_state_and_every_condition_is_the_machines() -> None:
    for row in transition_table():
        assert row["dest"] in STATES
        condition = row.get("conditions")
        assert condition is None or callable(getattr(Cursor, condition))
    for screen in STEPS:
        for button in screen.buttons:
            if button.trigger and button.trigger not in ("advance", "go_back"):
                assert button.to, f"{screen.name}/{button.code} fires {button.trigger} nowhere"


def test_the_chosen_option_reaches_the_machine_as_a_trigger_argument() -> None:
    stepper = Stepper()
    at_consent = Conversation(state="consent")
    assert stepper.fire(at_consent, "advance", "no") == "declined"
    assert stepper.fire(at_consent, "advance", "yes") == "role"
    assert at_consent.state == "consent"  # the machine's model carries nothing of it


def test_route_for_runs_once_per_completion(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def counted(answers: object) -> object:
        calls.append(answers)
        return route_for(answers)  # type: ignore[arg-type]

    monkeypatch.setattr(flows.moves, "route_for", counted)
    monkeypatch.setattr(flows.record, "route_for", counted)
    p = player()
    p.play(intake_script())
    [complete] = [
        effect for step in p.steps for effect in step.effects if effect.kind == "complete"
    ]
    assert len(calls) == 1
    assert complete.record is not None
    assert complete.record["suggestion"] == "mip"
