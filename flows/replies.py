"""Rendering: screens, notes and the suggestion as replies, in the parent's language.

Pure text and options from the catalogs and the clinic's configuration; what to show and when
is the engine's to decide.
"""

from __future__ import annotations

from dataclasses import replace

from flows.clinic import ClinicConfig
from flows.model import Conversation, Option, Reply
from flows.notes import NOTE, PASSING, after_crisis_key, crisis_key, next_key, suggestion_key
from flows.questions import QUESTION_BY_KEY, questions_on_path
from flows.routing import Routing
from flows.screens import Screen, shown
from flows.texts import render


class Replies:
    """Builds the replies of one clinic configuration."""

    def __init__(self, clinics: ClinicConfig) -> None:
        self.clinics = clinics

    def values(self, conv: Conversation) -> dict[str, str]:
        """The placeholders every text may use: help lines and the clinic."""
        return self.clinics.values(conv.lang, conv.clinic)

    def info(self, conv: Conversation, key: str, **values: object) -> Reply:
        """A text on its own; a crisis text is a crisis reply (sent alone, first). Every text
        but a passing note stays in the chat."""
        text = render(conv.lang, key, **self.values(conv), **values)
        crisis = key.startswith("crisis.")
        stays = key not in PASSING
        return Reply(key, text, kind="crisis" if crisis else "info", alone=crisis, stays=stays)

    def crisis(self, conv: Conversation, level: str) -> Reply:
        return self.info(conv, crisis_key(level))

    def options(self, conv: Conversation, screen: Screen) -> tuple[Option, ...]:
        """The screen's buttons as shown: the answer already given marked with ✓."""
        chosen = conv.answers.get(screen.name) if screen.kind == "question" else None
        # From a list, not a generator: a tuple grown from a generator is resized, and the
        # spares CPython keeps on its free list showed as 7x the engine's traced memory.
        return tuple(
            [
                Option(b.code, ("✓ " if b.code == chosen else "") + render(conv.lang, b.label))
                for b in screen.buttons
                if shown(b, conv.answers)
            ]
        )

    def screen(self, conv: Conversation, screen: Screen, *, again: bool = False) -> Reply:
        """What a screen asks, with its buttons (its shorter ask when shown ``again``)."""
        key = screen.again if again and screen.again else screen.text
        if screen.kind == "summary":
            text = self._summary_text(conv, key)
        else:
            text = render(conv.lang, key, **self.values(conv))
        options = self.options(conv, screen)
        free = screen.kind == "free_text"
        return Reply(
            key, text, options, screen.name, accepts_text=free, kind="question", stays=screen.stays
        )

    def _summary_text(self, conv: Conversation, heading: str) -> str:
        """The answers on the parent's path, each on a line; a long note shown shortened."""
        lang = conv.lang
        lines = [render(lang, heading)]
        for key in questions_on_path(conv.answers):
            answer = conv.answers.get(key)
            if answer is None:
                continue
            if QUESTION_BY_KEY[key].is_free_text:
                shown_answer = render(lang, NOTE.skipped) if answer == "skip" else _excerpt(answer)
            else:
                shown_answer = render(lang, f"o.{key}.{answer}")
            lines.append(f"• {render(lang, f's.{key}')}: {shown_answer}")
        return "\n".join(lines)

    def suggestion(self, conv: Conversation, routing: Routing) -> list[Reply]:
        """The suggestion in two messages: a headline (what may suit, and why, in a few lines)
        and how to go on. The details of each kind of care wait behind the final screen's
        buttons."""
        code = routing.suggestion
        lang = conv.lang
        lines = [render(lang, suggestion_key(code), **self.values(conv))]
        lines += ["• " + render(lang, key) for key in routing.reasons]
        if routing.reasons:
            lines.append(render(lang, NOTE.provisional))
        headline = Reply(suggestion_key(code), "\n".join(lines), alone=True, stays=True)
        return [*self.after_crisis(conv), headline, self.info(conv, next_key(code))]

    def declined(self, conv: Conversation) -> list[Reply]:
        """Consent declined: a word about both kinds of care (more behind the buttons)."""
        return [*self.after_crisis(conv), self.info(conv, NOTE.declined)]

    def after_crisis(self, conv: Conversation) -> list[Reply]:
        """After any crisis signal, a suggestion first says so and repeats the help lines."""
        if conv.safety == "none":
            return []
        return [replace(self.info(conv, after_crisis_key(conv.safety)), alone=True)]


#: How much of a long note the summary shows: enough to recognise it, on a phone screen.
EXCERPT = 160


def _excerpt(text: str) -> str:
    """A long note cut at a word end, with an ellipsis; a short one as it is."""
    if len(text) <= EXCERPT:
        return text
    return text[:EXCERPT].rsplit(" ", 1)[0].rstrip(" ,.;:") + " …"
