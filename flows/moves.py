"""What a parent's choices do: the moves of a conversation, and the machine fired under them.

A move changes the conversation and adds replies and effects to an `Out`: answering, going
back, changing an answer, the language, deleting, stopping, going on after the safe-check.
Buttons name their move (flows/screens.py) and commands theirs; the engine looks them up
here. Entering a final step does what the step declares: store the intake, or forget it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flows.branches import OFF_MAIN_PATH
from flows.clinic import ClinicConfig
from flows.machine import Stepper
from flows.matching import normalise
from flows.model import LANGUAGES, Command, Conversation, Effect, Language, Reply
from flows.notes import COMMAND_NOTES, NOTE
from flows.questions import (
    FINAL_STATES,
    FREE_TEXT_LIMIT,
    PROGRESS_STEPS,
    SUMMARY,
    WELCOME,
    on_older_child_path,
)
from flows.record import intake_record
from flows.replies import Replies
from flows.routing import route_for
from flows.safety import higher
from flows.screens import SCREENS, Button, Move, on_screen


@dataclass(slots=True)
class Out:
    """What one step has to show and to have done, in order."""

    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


ButtonMove = Callable[[Conversation, Button, Out], None]
CommandMove = Callable[[Conversation, Command, Out], None]


class Moves:
    """The moves, over one machine and one clinic configuration."""

    def __init__(self, clinics: ClinicConfig) -> None:
        self.clinics = clinics
        self.replies = Replies(clinics)
        self._stepper = Stepper()
        self.of_button: dict[Move, ButtonMove] = {
            "answer": lambda conv, button, out: self.answer(conv, button.code, out),
            "back": lambda conv, button, out: self.go_back(conv, out),
            "edit": self.edit,
            "restart": lambda conv, button, out: self.restart(conv, out),
            "other_language": lambda conv, button, out: self.set_language(
                conv, "sv" if conv.lang == "en" else "en", out
            ),
            "set_language": lambda conv, button, out: self.set_language(conv, button.code, out),
            "erase": lambda conv, button, out: self.erase(conv, out),
            "go_on": lambda conv, button, out: self.go_on(conv, out),
        }
        self.of_command: dict[str, CommandMove] = {
            "start": self.start,
            "back": lambda conv, command, out: self.go_back(conv, out),
            "restart": lambda conv, command, out: self.restart(conv, out, command.arg),
            "stop": lambda conv, command, out: self.stop(conv, out),
            "language": self.ask_language,
            "delete": self.ask_delete,
            **dict.fromkeys(COMMAND_NOTES, self.command_note),
        }
        self._on_enter: dict[str, Callable[[Conversation, Out], None]] = {
            "complete": self._complete,
            "decline": self._decline,
            "discard": lambda conv, out: out.effects.append(Effect("discard")),
        }

    def fresh(self, lang: str = "en", clinic: str = "") -> Conversation:
        """A new conversation in a supported language, tagged with a known clinic code."""
        language: Language = "sv" if lang == "sv" else "en"
        return Conversation(lang=language, clinic=self.clinics.clinic_code(clinic))

    # ---- showing

    def note(self, conv: Conversation, key: str, out: Out, **values: object) -> None:
        out.replies.append(self.replies.info(conv, key, **values))

    def show(self, conv: Conversation, out: Out, *, again: bool = False) -> None:
        """Show what is on screen; a step reached for the first time counts as progress.

        ``again``: right after a text of the screen's own, so a screen with a shorter ask says
        that instead of the whole text once more.
        """
        screen = on_screen(conv)
        state = conv.state
        if screen.name == state and state in PROGRESS_STEPS:
            index = PROGRESS_STEPS.index(state) + 1
            off_path = state in OFF_MAIN_PATH and on_older_child_path(conv.answers)
            if index > conv.furthest and not off_path:
                conv.furthest = index
                out.effects.append(Effect("progress", state))
        out.replies.append(self.replies.screen(conv, screen, again=again))

    def after_note(self, conv: Conversation, key: str, out: Out, *, again: bool = True) -> None:
        """A note, then what is on screen (its shorter ask, unless ``again`` is off: a note
        that changes what the screen means, such as a new language, shows all of it)."""
        self.note(conv, key, out)
        self.show(conv, out, again=again)

    # ---- crisis

    def answer_crisis(self, conv: Conversation, level: str, out: Out) -> None:
        """The crisis reply, first; after a danger-level one the conversation waits."""
        conv.safety = higher(conv.safety, level)
        out.replies.insert(0, self.replies.crisis(conv, level))
        if level == "danger" and not conv.safe_check:
            conv.safe_check = "stay"

    def go_on(self, conv: Conversation, out: Out) -> None:
        """Safe, and going on: to the step waiting underneath, or to the next one."""
        then, conv.safe_check = conv.safe_check, ""
        self.note(conv, NOTE.safe_thanks, out)
        if then == "advance":
            self.fire(conv, "advance", out)
        self.show(conv, out)

    # ---- answering and moving about

    def answer(self, conv: Conversation, code: str, out: Out) -> None:
        key = conv.state
        conv.answers[key] = code
        if key not in conv.history:
            conv.history.append(key)
        question = SCREENS[key].question
        assert question is not None, f"{key} asks no question"
        note = question.note_for(code)
        if note:
            self.note(conv, note, out)
        level = question.level_of(code)
        if level:
            self.answer_crisis(conv, level, out)
        if level == "danger":
            # The answer is kept, but the next step waits until the parent says they are safe.
            conv.safe_check = "advance"
        else:
            self.fire(conv, "advance", out, code)
        self.show(conv, out)

    def keep_free_text(self, conv: Conversation, text: str, out: Out) -> str:
        if len(text) > FREE_TEXT_LIMIT:
            self.note(conv, NOTE.shortened, out, limit=FREE_TEXT_LIMIT)
            return text[:FREE_TEXT_LIMIT]
        return text

    def edit(self, conv: Conversation, button: Button, out: Out) -> None:
        conv.return_to = SUMMARY  # answering, or going back, returns to the summary
        self.fire(conv, button.trigger, out, button.code)
        self.show(conv, out)

    def go_back(self, conv: Conversation, out: Out) -> None:
        conv.safe_check = ""  # going back is a choice to go on
        if SCREENS[conv.state].back:
            self.fire(conv, "go_back", out)
        else:
            self.note(conv, NOTE.nothing_back, out)
        self.show(conv, out)

    # ---- commands

    def start(self, conv: Conversation, command: Command, out: Out) -> None:
        in_progress = conv.state not in FINAL_STATES and conv.revision > 0 and conv.state != WELCOME
        if command.arg:  # a deep link's clinic code
            conv.clinic = self.clinics.clinic_code(command.arg)
        if in_progress:
            self.note(conv, NOTE.resume, out)
        else:
            self._reset(conv, keep_progress=conv.state not in FINAL_STATES)
        self.show(conv, out)

    def restart(self, conv: Conversation, out: Out, lang: str = "") -> None:
        """Start over; ``/restart sv`` starts over in that language (the terminal's --new)."""
        wanted = normalise(lang)[:2]
        if wanted in LANGUAGES:
            conv.lang = "sv" if wanted == "sv" else "en"
        self._reset(conv, keep_progress=conv.state not in FINAL_STATES)
        self.after_note(conv, NOTE.restarted, out, again=False)

    def stop(self, conv: Conversation, out: Out) -> None:
        conv.safe_check = ""  # the parent has chosen; a discarded conversation keeps nothing
        if conv.state in FINAL_STATES:
            self.note(conv, NOTE.nothing_to_stop, out)
        else:
            self.fire(conv, "stop", out)
        self.show(conv, out)

    def ask_language(self, conv: Conversation, command: Command, out: Out) -> None:
        wanted = normalise(command.arg)[:2]
        if wanted in LANGUAGES:
            self.set_language(conv, wanted, out)
            return
        conv.pending = "language"
        self.show(conv, out)

    def set_language(self, conv: Conversation, lang: str, out: Out) -> None:
        conv.pending = ""
        conv.lang = "sv" if lang == "sv" else "en"
        self.after_note(conv, NOTE.language_changed, out, again=False)

    def ask_delete(self, conv: Conversation, command: Command, out: Out) -> None:
        conv.pending = "delete"
        self.show(conv, out)

    def erase(self, conv: Conversation, out: Out) -> None:
        out.effects.append(Effect("erase"))
        self._reset(conv, keep_progress=False)
        self.note(conv, NOTE.deleted, out)  # nothing is kept, so nothing is asked

    def command_note(self, conv: Conversation, command: Command, out: Out) -> None:
        self.after_note(conv, COMMAND_NOTES[command.name], out)

    def _reset(self, conv: Conversation, *, keep_progress: bool) -> None:
        fresh = self.fresh(conv.lang, conv.clinic)
        conv.state, conv.answers, conv.history = fresh.state, fresh.answers, fresh.history
        conv.safety, conv.return_to, conv.pending = fresh.safety, fresh.return_to, fresh.pending
        conv.safe_check = fresh.safe_check
        if not keep_progress:
            conv.furthest = 0

    # ---- the machine, and what entering a step does

    def fire(self, conv: Conversation, trigger: str, out: Out, choice: str = "") -> None:
        """Fire a trigger, the chosen code going along; then do what the new step declares."""
        before = conv.state
        conv.state = self._stepper.fire(conv, trigger, choice)
        if conv.state == SUMMARY:
            conv.return_to = ""
        entry = SCREENS[conv.state].on_enter
        if entry and conv.state != before:
            self._on_enter[entry](conv, out)

    def _complete(self, conv: Conversation, out: Out) -> None:
        """The intake is finished: its record to store, and the suggestion, from one routing."""
        routing = route_for(conv.answers)
        out.effects.append(Effect("complete", record=intake_record(conv, routing)))
        out.replies += self.replies.suggestion(conv, routing)

    def _decline(self, conv: Conversation, out: Out) -> None:
        out.effects.append(Effect("discard"))
        out.replies += self.replies.declined(conv)
