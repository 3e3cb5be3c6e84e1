"""The step: a saved conversation and one input in, the next conversation and replies out.

What each screen offers and where it leads is data (flows/screens.py). A step reads the
input (flows/parsing.py, flows/matching.py), answers a crisis first (flows/safety.py), finds
the button or command it means on the screen shown, and makes its move (flows/moves.py),
which fires the one machine (flows/machine.py) and renders replies (flows/replies.py).
Nothing here sends or writes: what the caller must do (store a record, forget a session)
comes back as `Effect` values, and every message as a `Reply`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flows.ages import age_band_of
from flows.clinic import ClinicConfig, load_clinic_config
from flows.matching import is_sentence, match_option, says_yes
from flows.model import FLOW_VERSION, Aside, Command, Conversation, Input, Reply, Step, Tap, Text
from flows.moves import Moves, Out
from flows.notes import NOTE
from flows.parsing import clean_text, parse_command
from flows.questions import WELCOME
from flows.safety import detect_crisis
from flows.screens import SCREENS, Screen, on_screen, shown

#: Readers of typed answers a question names (flows/questions.py), text -> code or None.
READERS: dict[str, Callable[[str], str | None]] = {"age": age_band_of}


class Engine:
    """Steps conversations. Not thread-safe: give each thread its own engine."""

    def __init__(self, clinics: ClinicConfig | None = None) -> None:
        self.clinics = clinics or load_clinic_config()
        self.moves = Moves(self.clinics)

    def new_conversation(self, lang: str = "en", clinic: str = "") -> Conversation:
        """A fresh conversation in a supported language, tagged with a known clinic code."""
        return self.moves.fresh(lang, clinic)

    def handle(self, conversation: Conversation, event: Input) -> Step:
        """The conversation after one input, the replies to show, the effects to carry out."""
        conv = replace(
            conversation, answers=dict(conversation.answers), history=list(conversation.history)
        )
        out = Out()
        if conv.version != FLOW_VERSION:
            # Answers saved by another version of the questions cannot be trusted to mean the
            # same; start afresh, but a crisis in what was just typed is still answered first.
            conv = self.new_conversation(conv.lang, conv.clinic)
            if isinstance(event, Text):
                self._check_crisis(conv, clean_text(event.text), out)
            self.moves.after_note(conv, NOTE.flow_updated, out, again=False)
        elif isinstance(event, Text):
            self._on_text(conv, clean_text(event.text), out)
        elif isinstance(event, Aside):
            level = self._check_crisis(conv, clean_text(event.text), out)
            self.moves.after_note(conv, event.note, out)
            if not level:
                # Nothing that matters was read: the saved conversation is untouched, not even
                # its revision, so the keyboard shown again with the note keeps working.
                return Step(conversation, tuple(out.replies))
        elif isinstance(event, Tap):
            self._on_tap(conv, event, out)
        else:
            self._on_command(conv, event, out)
        conv.revision += 1
        return Step(conv, tuple(out.replies), tuple(out.effects))

    def prompt(self, conversation: Conversation) -> tuple[Reply, ...]:
        """What the parent is being asked right now (to show it again)."""
        return (self.moves.replies.screen(conversation, on_screen(conversation)),)

    # ---- inputs

    def _check_crisis(self, conv: Conversation, text: str, out: Out) -> str | None:
        level = detect_crisis(text)
        if level:
            self.moves.answer_crisis(conv, level, out)
        return level

    def _on_text(self, conv: Conversation, text: str, out: Out) -> None:
        level = self._check_crisis(conv, text, out)
        command = parse_command(text)
        if command:
            self._on_command(conv, command, out)
            return
        if level:
            # Words of crisis are never taken as an answer, nor as a note for the clinic: the
            # crisis reply has spoken, so show the parent where they are and let them go on.
            conv.pending = ""
            if SCREENS[conv.state].kind == "free_text":
                self.moves.note(conv, NOTE.not_kept, out)
            self.moves.show(conv, out)
            return
        screen = on_screen(conv)
        options = self.moves.replies.options(conv, screen)
        if screen.kind == "choice":  # words that choose nothing move on from the choice
            code = match_option(text, options, screen.yes, screen.no)
            if code:
                self._choose(conv, screen, code, out)
                return
            conv.pending = ""
            screen = on_screen(conv)
            options = self.moves.replies.options(conv, screen)
        if conv.revision == 0 and screen.name == WELCOME:
            self.moves.show(conv, out)  # a first message of any kind is greeted, not corrected
            return
        if screen.kind == "free_text" and text:
            # Anything typed here is the note, unless it clearly chooses a button: its number,
            # its words, or a phrase that means it ("skip", "hoppa över", "nej tack").
            code = match_option(text, options, screen.yes, screen.no)
            if code:
                self._choose(conv, screen, code, out)
            else:
                self.moves.answer(conv, self.moves.keep_free_text(conv, text, out), out)
            return
        question = screen.question
        reader = READERS.get(question.reads) if question else None
        code = reader(text) if reader else None
        if code:  # a typed age, say, read into its band
            self._choose(conv, screen, code, out)
            return
        if question and question.yes_level and says_yes(text):
            # A plain yes here says none of the answers, so it is not stored; it still gets
            # the most protective reply, and the question stays for the parent to say which.
            self.moves.answer_crisis(conv, question.yes_level, out)
            self.moves.show(conv, out)
            return
        code = match_option(text, options, screen.yes, screen.no)
        if code:
            self._choose(conv, screen, code, out)
        elif screen.kind == "hold":
            self.moves.after_note(conv, NOTE.safe_reask, out)
        elif screen.kind == "final":
            self.moves.after_note(conv, NOTE.finished, out)
        else:  # a sentence gets a warm word, not "I didn't understand": it was never an answer
            self.moves.after_note(conv, NOTE.heard if is_sentence(text) else NOTE.reask, out)

    def _on_tap(self, conv: Conversation, tap: Tap, out: Out) -> None:
        tapped = SCREENS.get(tap.question)
        if tapped is not None and tapped.old_taps and tapped.button(tap.code):
            conv.pending = tapped.name.removeprefix("pending.")  # works on an old keyboard too
            self._choose(conv, tapped, tap.code, out)
            return
        screen = on_screen(conv)
        button = screen.button(tap.code)
        fresh = tap.revision is None or tap.revision == conv.revision
        if tap.question == screen.name and fresh and button and shown(button, conv.answers):
            self._choose(conv, screen, tap.code, out)
        else:
            self.moves.after_note(conv, NOTE.stale, out, again=False)

    def _on_command(self, conv: Conversation, command: Command, out: Out) -> None:
        if command.name != "language" or not command.arg:
            conv.pending = ""
        move = self.moves.of_command.get(command.name)
        if move is None:
            self.moves.after_note(conv, NOTE.unknown_command, out)
        else:
            move(conv, command, out)

    def _choose(self, conv: Conversation, screen: Screen, code: str, out: Out) -> None:
        """A button of the screen on show, tapped or typed: do what the screen says it does."""
        button = screen.button(code)
        assert button is not None, f"{code} is not a button of {screen.name}"
        if screen.kind == "choice":
            conv.pending = ""
        if button.move:
            self.moves.of_button[button.move](conv, button, out)
            return
        if button.trigger:
            self.moves.fire(conv, button.trigger, out, code)
        elif button.show:
            self.moves.note(conv, button.show, out)
        self.moves.show(conv, out, again=bool(button.show))
