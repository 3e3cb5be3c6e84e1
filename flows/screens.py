"""Every screen a parent sees, as data: what it says, its buttons and what each does, and
where advance and back lead.

A screen is a step of the conversation (a state of the machine: the welcome, consent, each
question, the summary, the change list, the final screens) or is shown over one: the
safe-check after a danger-level reply, the language and delete choices. A button fires a
machine trigger (its code goes along as the choice, for the machine's conditions), makes one
of the engine's moves, or shows a text and the screen again. The machine's transitions are
generated from here (flows/machine.py) and the engine looks buttons up: reviewing what a
parent can do on a screen means reading this file, not the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from flows.branches import EDITING, OLDER_CHILD_PATH, Branch
from flows.model import LANGUAGES, Conversation
from flows.questions import (
    CHANGE,
    CONSENT,
    DECLINED,
    OLDER_CHILD,
    QUESTIONS,
    STOPPED,
    SUGGESTION,
    SUMMARY,
    WELCOME,
    Question,
    questions_on_path,
)

BACK = "@back"  # the code of the back button on every question
SAFE_CHECK = "safe_check"  # asks, after a danger-level reply, whether the parent is safe
LANGUAGE_CHOICE = "pending.language"
DELETE_CHOICE = "pending.delete"

#: What a button can do besides firing a plain trigger or showing a text.
Move = Literal[
    "answer", "back", "edit", "restart", "other_language", "set_language", "erase", "go_on"
]
MOVES: tuple[Move, ...] = get_args(Move)

#: step: a plain step; question / free_text: asks one of QUESTIONS; summary: lists the answers;
#: change: lists the answered questions; final: the conversation has ended;
#: choice: a question shown over a step, gone once answered; hold: shown over a step until
#: the parent chooses to go on.
Kind = Literal["step", "question", "free_text", "summary", "change", "final", "choice", "hold"]
#: Screens worth keeping in the chat once answered (`Screen.stays`): the welcome and consent
#: (what the parent agreed to), the summary, the final screens. A question is not: its answer
#: is shown with the next question, and the summary lists them all.
STAYING: frozenset[Kind] = frozenset({"step", "summary", "final"})
#: What entering a step does: store the intake (complete), or forget the conversation.
Entry = Literal["", "complete", "decline", "discard"]


@dataclass(frozen=True, slots=True)
class Button:
    code: str  # sent back when tapped; stored when it answers a question
    label: str  # catalog key of its label
    trigger: str = ""  # the machine trigger it fires, its code going along as the choice
    move: Move | None = None  # or the engine's move it makes
    show: str = ""  # or the catalog key of a text shown before the screen again
    to: str = ""  # where its trigger leads (advance and go_back lead where the screen says)


@dataclass(frozen=True, slots=True)
class Screen:
    name: str  # a state of the machine, or the name of what is shown over one
    text: str  # catalog key of what it says
    buttons: tuple[Button, ...] = ()
    kind: Kind = "step"
    next: str = ""  # where "advance" leads
    back: str = ""  # where "go_back" leads; "" where there is nothing to go back to
    branches: tuple[Branch, ...] = ()  # tried before next and back, in order
    yes: str = "yes"  # the button a typed yes chooses, if this screen has it
    no: str = "no"
    question: Question | None = None
    on_enter: Entry = ""
    old_taps: bool = False  # its buttons work even on an old keyboard
    #: What it says when shown again right after a text of its own (its privacy notice, /help):
    #: a short ask instead of the whole text just read. "" where it is short already.
    again: str = ""

    def button(self, code: str) -> Button | None:
        return next((button for button in self.buttons if button.code == code), None)

    @property
    def stays(self) -> bool:
        """Whether what it shows stays in the chat once answered (`STAYING`)."""
        return self.kind in STAYING


def shown(button: Button, answers: Mapping[str, str]) -> bool:
    """Whether a button is on screen: "change this answer" only for the questions answered on
    the parent's path."""
    return button.move != "edit" or (
        button.code in answers and button.code in questions_on_path(answers)
    )


BACK_BUTTON = Button(BACK, "nav.back", move="back")


def _question(index: int, question: Question) -> Screen:
    keys = [q.key for q in QUESTIONS]
    key = question.key
    answers = tuple(Button(code, f"o.{key}.{code}", move="answer") for code in question.codes)
    if question.is_free_text:
        answers += (Button("skip", "o.free_text.skip", move="answer"),)
    return Screen(
        key,
        f"q.{key}",
        (*answers, BACK_BUTTON),
        "free_text" if question.is_free_text else "question",
        next=keys[index + 1] if index + 1 < len(keys) else SUMMARY,
        back=keys[index - 1] if index else CONSENT,
        branches=(*OLDER_CHILD_PATH.get(key, ()), *EDITING),
        yes=question.yes_code,
        no=question.no_code,
        question=question,
    )


RESTART = Button("restart", "o.final.restart", move="restart")
#: The details of both kinds of care, behind buttons at the end: read if wanted, never ranked.
DETAILS = (
    Button("about_mip", "o.final.about_mip", show="care.mip"),
    Button("about_chc", "o.final.about_chc", show="care.chc"),
)


def _final(name: str, on_enter: Entry, details: bool = False, again: str = "") -> Screen:
    buttons = (*DETAILS, RESTART) if details else (RESTART,)
    return Screen(name, f"prompt.{name}", buttons, "final", on_enter=on_enter, again=again)


#: The steps, one per state of the machine, in the conversation's order.
STEPS: tuple[Screen, ...] = (
    Screen(
        WELCOME,
        "prompt.welcome",
        (
            Button("begin", "o.welcome.begin", trigger="advance"),
            Button("other_language", "o.welcome.other_language", move="other_language"),
        ),
        next=CONSENT,
        again="prompt.welcome_again",
    ),
    Screen(
        CONSENT,
        "prompt.consent",
        (
            Button("yes", "o.consent.yes", trigger="advance"),
            Button("no", "o.consent.no", trigger="advance"),
            Button("privacy", "o.consent.privacy", show="privacy"),
            BACK_BUTTON,
        ),
        next=QUESTIONS[0].key,
        back=WELCOME,
        branches=(Branch("advance", DECLINED, "declines"),),
        again="prompt.consent_again",
    ),
    *(_question(index, question) for index, question in enumerate(QUESTIONS)),
    Screen(
        SUMMARY,
        "summary",
        (
            Button("confirm", "o.summary.confirm", trigger="advance"),
            Button("change", "o.summary.change", trigger="change", to=CHANGE),
            BACK_BUTTON,
        ),
        "summary",
        next=SUGGESTION,
        back=QUESTIONS[-1].key,
        branches=OLDER_CHILD_PATH[SUMMARY],
    ),
    Screen(
        CHANGE,
        "prompt.change",
        (
            *(
                Button(q.key, f"s.{q.key}", trigger=f"edit_{q.key}", move="edit", to=q.key)
                for q in QUESTIONS
            ),
            Button("cancel", "o.change.cancel", move="back"),
        ),
        "change",
        back=SUMMARY,
    ),
    _final(SUGGESTION, "complete", details=True, again="prompt.done_again"),
    _final(DECLINED, "decline", details=True),
    _final(OLDER_CHILD, "complete"),
    _final(STOPPED, "discard"),
)

#: What is shown over a step: the step stays put underneath.
OVERLAYS: tuple[Screen, ...] = (
    Screen(
        SAFE_CHECK,
        "safe_check",
        (
            Button("go_on", "o.safe_check.go_on", move="go_on"),
            Button("numbers", "o.safe_check.numbers", show="crisis.danger"),
            Button("pause", "o.safe_check.pause", show="pause"),
        ),
        "hold",
        yes="go_on",
        no="numbers",  # "no, I'm not safe": the numbers again
    ),
    Screen(
        LANGUAGE_CHOICE,
        "language.ask",
        tuple(Button(lang, f"language.{lang}", move="set_language") for lang in LANGUAGES),
        "choice",
        old_taps=True,
    ),
    Screen(
        DELETE_CHOICE,
        "delete.confirm",
        (
            Button("yes", "o.delete.yes", move="erase"),
            Button("no", "o.delete.no", show="delete.kept"),
        ),
        "choice",
    ),
)

SCREENS: dict[str, Screen] = {screen.name: screen for screen in (*STEPS, *OVERLAYS)}


def stays(name: str) -> bool:
    """Whether the screen of this name stays in the chat once answered; an unknown one does."""
    screen = SCREENS.get(name)
    return screen is None or screen.stays


def on_screen(conv: Conversation) -> Screen:
    """What is on screen: a pending choice, the safe-check, or the step itself."""
    if conv.pending:
        return SCREENS["pending." + conv.pending]
    return SCREENS[SAFE_CHECK] if conv.safe_check else SCREENS[conv.state]
