"""One parent's input, end to end: load the session, step the engine, carry out the effects, save.

Shared by the Telegram adapter and the terminal chat, so both record exactly alike. The
session is saved before the replies are returned, so a reply the parent sees always
belongs to an answer that is already on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import sqlite_utils

import storage
from flows.engine import Engine
from flows.model import Conversation, Input, Reply, Step
from flows.notes import NOTE
from flows.texts import render


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input led to: the replies to show and the conversation now saved (or forgotten)."""

    replies: tuple[Reply, ...]
    conversation: Conversation
    saved: bool  # False when the session was discarded or erased


class IntakeService:
    """Steps a parent's conversation and keeps storage in line with it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        engine: Engine,
        secret: str,
        retention: storage.RetentionSettings | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.secret = secret
        self.retention = retention or storage.RetentionSettings()

    def pseudonym(self, user_id: int) -> str:
        return storage.pseudonym_for(user_id, self.secret)

    def conversation(self, pseudonym: str, lang: str = "en") -> Conversation:
        """The saved conversation, or a new one in the parent's language."""
        raw = storage.load_session(self.db, pseudonym)
        if raw is None:
            return self.engine.new_conversation(lang)
        return Conversation.from_json(raw)

    def handle(
        self, user_id: int, event: Input, *, lang: str = "en", names: Sequence[str] = ()
    ) -> Outcome:
        """Step the parent's conversation with one input and store what it asks for.

        ``names`` are the parent's own Telegram names: scrubbed from any free text stored.
        """
        pseudonym = self.pseudonym(user_id)
        conversation = self.conversation(pseudonym, lang)
        step = self.engine.handle(conversation, event)
        if step.conversation is conversation and not step.effects:
            # Read, not stepped (a photo's caption with nothing in it that matters): nothing to
            # save, so nothing is written, not even a session for a parent who has none.
            return Outcome(step.replies, conversation, saved=True)
        return self.apply(pseudonym, step, names)

    def apply(self, pseudonym: str, step: Step, names: Sequence[str] = ()) -> Outcome:
        """Carry out a step's effects, then save (or forget) the conversation."""
        conv = step.conversation
        replies = list(step.replies)
        kinds = {effect.kind for effect in step.effects}
        with self.db.atomic():
            for effect in step.effects:
                if effect.kind == "progress":
                    storage.count_progress(self.db, effect.value, conv.clinic)
                elif effect.kind == "complete" and effect.record is not None:
                    storage.record_intake(
                        self.db,
                        effect.record,
                        pseudonym=pseudonym,
                        names=names,
                        link_days=self.retention.link_days,
                    )
            if "erase" in kinds:
                erased = storage.erase(self.db, pseudonym)
                key = NOTE.deleted_report
                report = render(conv.lang, key, sessions=erased.sessions, intakes=erased.intakes)
                replies.append(Reply(key, report))
            elif "discard" in kinds:
                storage.delete_session(self.db, pseudonym)
            else:
                conv = scrubbed(conv, names)
                storage.save_session(self.db, pseudonym, conv.to_json())
        if kinds & {"erase", "discard"}:
            storage.flush_wal(self.db)  # so no copy of what was deleted lingers in the WAL
        return Outcome(tuple(replies), conv, saved=not kinds & {"erase", "discard"})


def scrubbed(conv: Conversation, names: Sequence[str]) -> Conversation:
    """The conversation with its free text scrubbed, as it may be written to disk.

    The engine keeps the parent's own words so the summary can show them back; the session
    on disk holds only what an intake record could hold.
    """
    text = conv.answers.get("free_text")
    if not text:
        return conv
    return replace(conv, answers={**conv.answers, "free_text": storage.scrub(text, names)})
