"""Every text the conversation needs, as catalog keys: the engine's notes, by what each is for,
and the keys that follow from the screens, the questions and the routing.

`needed_keys()` is what the catalogs must hold in both languages (tests/flows/test_texts.py):
it is derived from the data, never listed by hand.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import get_args

from flows.model import SAFETY_LEVELS, Language
from flows.questions import QUESTIONS
from flows.routing import REASON_KEYS, Suggestion
from flows.screens import SCREENS
from flows.texts import plural_forms


@dataclass(frozen=True, slots=True)
class Notes:
    """Catalog keys of what the engine says besides its screens."""

    flow_updated: str = "flow.updated"  # a saved conversation of an older flow: starting again
    reask: str = "reask"  # a short text that is not an answer
    heard: str = "reask.heard"  # a sentence: a warm word, never "I didn't understand"
    finished: str = "reask.final"  # typed text after the end
    stale: str = "stale"  # a tap on an older keyboard
    not_kept: str = "free_text.not_kept"  # a crisis written as the note is not kept
    shortened: str = "free_text.shortened"
    safe_reask: str = "safe_check.reask"  # at the safe-check, text that chooses nothing
    safe_thanks: str = "safe_check.thanks"  # going on after the safe-check
    language_changed: str = "language.changed"
    deleted: str = "delete.done"
    deleted_report: str = "delete.report"  # what was erased (the service counts it)
    unknown_command: str = "unknown_command"
    resume: str = "resume"
    restarted: str = "restarted"
    nothing_back: str = "back.nothing"
    nothing_to_stop: str = "stop.nothing"
    declined: str = "declined"  # consent declined: a word about both kinds of care
    skipped: str = "summary.skipped"  # a skipped note, in the summary
    provisional: str = "suggest.provisional"  # the headline's last line: a clinician looks too


NOTE = Notes()

#: Notes that belong to the answer just given and mean nothing once the next one is given: a
#: chat adapter may draw them, with the next screen, over the tapped question, where the next
#: answer draws over them in turn. Every other text stays in the chat (`Reply.stays`): the
#: privacy notice, the details of care, a crisis reply, the stale-button note...
PASSING: frozenset[str] = frozenset(
    {
        NOTE.safe_thanks,
        NOTE.language_changed,
        NOTE.restarted,
        *(key for question in QUESTIONS for _, key in question.notes),
    }
)

#: Commands that show a text and the screen again.
COMMAND_NOTES: dict[str, str] = {"help": "help", "privacy": "privacy", "pause": "pause"}
#: Texts with counts, and the placeholders each words per plural category (flows/texts.py).
COUNTED: dict[str, tuple[str, ...]] = {NOTE.deleted_report: ("sessions", "intakes")}


def crisis_key(level: str) -> str:
    """The reply to a crisis signal of this level."""
    return f"crisis.{level}"


def after_crisis_key(level: str) -> str:
    """What a suggestion says first after a crisis signal of this level."""
    return f"suggest.after.{level}"


def suggestion_key(code: str) -> str:
    """The headline's first line: what may suit."""
    return f"suggest.{code}"


def next_key(code: str) -> str:
    """How to go on after a suggestion: whom to contact, and how."""
    return f"suggest.next.{code}"


def counted_keys(lang: Language) -> frozenset[str]:
    """The phrases of every count, in each plural category the language has."""
    return frozenset(
        f"{key}.{name}.{form}"
        for key, names in COUNTED.items()
        for name in names
        for form in plural_forms(lang)
    )


def needed_keys(lang: Language | None = None) -> frozenset[str]:
    """Every catalog key the conversation can show (with a language, its counted phrases too)."""
    keys = set(astuple(NOTE)) | set(COMMAND_NOTES.values()) | REASON_KEYS
    if lang is not None:
        keys |= counted_keys(lang)
    for screen in SCREENS.values():
        keys.add(screen.text)
        keys |= {button.label for button in screen.buttons}
        keys |= {button.show for button in screen.buttons if button.show}
    for question in QUESTIONS:
        keys |= {key for _, key in question.notes}
    for level in SAFETY_LEVELS[1:]:
        keys |= {crisis_key(level), after_crisis_key(level)}
    keys |= {suggestion_key(code) for code in get_args(Suggestion)}
    keys |= {next_key(code) for code in get_args(Suggestion)}
    keys |= {screen.again for screen in SCREENS.values() if screen.again}
    return frozenset(keys)
