"""Rendering: screens, notes and the suggestion as replies, in the parent's language.

Pure text and options from the catalogs and the clinic's configuration; what to show and when
is the engine's to decide.
"""

from __future__ import annotations

from flows.clinic import ClinicConfig
from flows.model import Conversation, Option, Reply
from flows.notes import NOTE, after_crisis_key, crisis_key, suggestion_key
from flows.questions import QUESTIONS
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
        """A text on its own; a crisis text is a crisis reply (sent alone, first)."""
        text = render(conv.lang, key, **self.values(conv), **values)
        return Reply(key, text, kind="crisis" if key.startswith("crisis.") else "info")

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

    def screen(self, conv: Conversation, screen: Screen) -> Reply:
        """What a screen asks, with its buttons."""
        if screen.kind == "summary":
            text = self._summary_text(conv, screen.text)
        else:
            text = render(conv.lang, screen.text, **self.values(conv))
        options = self.options(conv, screen)
        free = screen.kind == "free_text"
        return Reply(screen.text, text, options, screen.name, accepts_text=free, kind="question")

    def _summary_text(self, conv: Conversation, heading: str) -> str:
        lang = conv.lang
        lines = [render(lang, heading)]
        for question in QUESTIONS:
            answer = conv.answers.get(question.key)
            if answer is None:
                continue
            if question.is_free_text:
                shown_answer = render(lang, NOTE.skipped) if answer == "skip" else answer
            else:
                shown_answer = render(lang, f"o.{question.key}.{answer}")
            lines.append(f"• {render(lang, f's.{question.key}')}: {shown_answer}")
        return "\n".join(lines)

    def suggestion(self, conv: Conversation, routing: Routing) -> list[Reply]:
        """The suggestion, why, what the care involves and how to reach it."""
        code = routing.suggestion
        why = "\n".join("• " + render(conv.lang, key) for key in routing.reasons)
        replies = [
            *self.after_crisis(conv),
            self.info(conv, suggestion_key(code)),
            self.info(conv, NOTE.why, reasons=why),
        ]
        if code != "older_child":
            replies += self.care(conv, code)
            replies.append(self.info(conv, NOTE.provisional))
        replies.append(self.info(conv, NOTE.contact))
        return replies

    def declined(self, conv: Conversation) -> list[Reply]:
        """Consent declined: general information about both kinds of care."""
        return [*self.after_crisis(conv), self.info(conv, NOTE.declined), *self.care(conv, "both")]

    def after_crisis(self, conv: Conversation) -> list[Reply]:
        """After any crisis signal, a suggestion first says so and repeats the help lines."""
        if conv.safety == "none":
            return []
        return [self.info(conv, after_crisis_key(conv.safety))]

    def care(self, conv: Conversation, code: str) -> list[Reply]:
        """Both kinds of care, the suggested one first; neither ranked better in general."""
        first_chc = code in ("chc", "chc_first")
        order = (NOTE.care_chc, NOTE.care_mip) if first_chc else (NOTE.care_mip, NOTE.care_chc)
        return [self.info(conv, key) for key in order]
