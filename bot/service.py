"""One parent's input, end to end: load the conversation, step the engine, carry out the
effects, and keep the conversation where it belongs.

Shared by the Telegram adapter and the terminal chat, so both record exactly alike. A
conversation is written to disk, under its pseudonym, only between consent and the end: that
is when a parent has answers to lose. Before consent, and once it has ended (completed,
declined, stopped, erased), it is held in memory only (`TransientConversations`), and an ended
one only as far as its last screen needs; a restart of the process forgets it, and the parent
simply starts again. A saved session is on disk before the replies are returned, so a reply
the parent sees always belongs to an answer that is already stored.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import sqlite_utils

import storage
from flows.engine import Engine
from flows.model import Conversation, Input, Reply, Step
from flows.notes import NOTE
from flows.questions import CONSENTED_STATES, FINAL_STATES
from flows.texts import render


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input led to: the replies to show and the conversation as it now stands."""

    replies: tuple[Reply, ...]
    conversation: Conversation
    saved: bool  # True when the conversation is stored on disk (after consent, before the end)


class TransientConversations:
    """Conversations held in memory only: before consent, and once ended.

    Bounded, so memory stays flat however many parents come: at most ``size`` conversations
    (a consent screen takes well under a kilobyte), each forgotten ``ttl`` seconds after its
    last step, the least recently stepped first when full. A parent forgotten here starts
    again from the welcome, which is all that is lost.
    """

    def __init__(
        self,
        size: int = 10_000,
        ttl: float = 24 * 60 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._held: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()

    def get(self, pseudonym: str) -> Conversation | None:
        self._expire()
        held = self._held.get(pseudonym)
        return None if held is None else held[1]

    def hold(self, pseudonym: str, conv: Conversation) -> None:
        """Keep the conversation for a while; an ended one only as far as its screen needs."""
        self._held[pseudonym] = (self.clock() + self.ttl, screen_of(conv))
        self._held.move_to_end(pseudonym)
        self._expire()
        while len(self._held) > self.size:
            self._held.popitem(last=False)

    def forget(self, pseudonym: str) -> None:
        self._held.pop(pseudonym, None)

    def _expire(self) -> None:
        # Every entry lives equally long and is moved to the end when held again, so the
        # first entry is always the next to expire.
        now = self.clock()
        while self._held:
            pseudonym, (expires, _) = next(iter(self._held.items()))
            if expires > now:
                return
            del self._held[pseudonym]

    def __len__(self) -> int:
        return len(self._held)


class IntakeService:
    """Steps a parent's conversation and keeps storage in line with it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        engine: Engine,
        secret: str,
        retention: storage.RetentionSettings | None = None,
        transient: TransientConversations | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.secret = secret
        self.retention = retention or storage.RetentionSettings()
        self.transient = transient or TransientConversations()
        #: True while deleted data may still be in the write-ahead log (a reader held it).
        self.wal_pending = False

    def pseudonym(self, user_id: int) -> str:
        return storage.pseudonym_for(user_id, self.secret)

    def conversation(self, pseudonym: str, lang: str = "en") -> Conversation:
        """The parent's conversation (held in memory or saved), or a new one in their language."""
        return self._load(pseudonym, lang)[0]

    def handle(
        self, user_id: int, event: Input, *, lang: str = "en", names: Sequence[str] = ()
    ) -> Outcome:
        """Step the parent's conversation with one input and store what it asks for.

        ``names`` is everything the adapter knows that names the parent (for Telegram: first
        and last name, username with and without @, the numeric id): scrubbed from any free
        text stored, in the session and in the intake record.
        """
        pseudonym = self.pseudonym(user_id)
        conv, on_disk = self._load(pseudonym, lang)
        step = self.engine.handle(conv, event)
        if step.conversation is conv and not step.effects:
            # Read, not stepped (a photo's caption with nothing in it that matters): nothing to
            # save, so nothing is written, not even a session for a parent who has none.
            return Outcome(step.replies, conv, saved=on_disk)
        return self.apply(pseudonym, step, names, on_disk=on_disk)

    def apply(
        self, pseudonym: str, step: Step, names: Sequence[str] = (), *, on_disk: bool = False
    ) -> Outcome:
        """Carry out a step's effects, then keep the conversation on disk or in memory.

        ``on_disk``: the conversation stepped was loaded from a saved session, which must go
        if the conversation no longer belongs on disk.
        """
        conv = step.conversation
        replies = list(step.replies)
        kinds = {effect.kind for effect in step.effects}
        erase = "erase" in kinds
        keep = not kinds & {"erase", "discard"} and belongs_on_disk(conv)
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
            if erase:
                erased = storage.erase(self.db, pseudonym)
                key = NOTE.deleted_report
                report = render(conv.lang, key, sessions=erased.sessions, intakes=erased.intakes)
                replies.append(Reply(key, report))
            elif keep:
                conv = scrubbed(conv, names)
                storage.save_session(self.db, pseudonym, conv.to_json())
            elif on_disk:
                # Completed, stopped, started over or declined: the saved answers (and free
                # text) go, so nothing under the pseudonym matches an intake.
                storage.delete_session(self.db, pseudonym)
        if erase or keep:
            self.transient.forget(pseudonym)
        else:
            self.transient.hold(pseudonym, conv)
        # Erased or discarded answers must not linger in the write-ahead log. A completed
        # conversation's older copies there are left to the daily purge (a checkpoint costs
        # more than ten steps): until its link expires the pseudonym is tied to the intake
        # anyway, and the purge that expires the link also empties the log.
        discarded = on_disk and not keep and "complete" not in kinds
        if erase or discarded or self.wal_pending:
            self.flush_wal()
        return Outcome(tuple(replies), conv, saved=keep)

    def purge(self) -> storage.PurgeReport:
        """Apply retention now (idle sessions, expired links, old intakes)."""
        report = storage.purge(self.db, **asdict(self.retention))
        self.wal_pending = not report.flushed
        return report

    def flush_wal(self) -> bool:
        """Empty the write-ahead log; while a reader holds it, False and `wal_pending` set."""
        self.wal_pending = not storage.flush_wal(self.db)
        return not self.wal_pending

    def _load(self, pseudonym: str, lang: str) -> tuple[Conversation, bool]:
        """The conversation, and whether it came from disk (it is never in both places)."""
        held = self.transient.get(pseudonym)
        if held is not None:
            return held, False
        raw = storage.load_session(self.db, pseudonym)
        if raw is None:
            return self.engine.new_conversation(lang), False
        return Conversation.from_json(raw), True


def belongs_on_disk(conv: Conversation) -> bool:
    """Whether the conversation holds consent and answers that a restart must not lose.

    A parent who goes back to the welcome or the consent screen keeps their answers; only the
    end of the conversation, /restart or /stop lets them go.
    """
    if conv.state in FINAL_STATES:
        return False
    return conv.state in CONSENTED_STATES or bool(conv.answers)


def screen_of(conv: Conversation) -> Conversation:
    """What an ended conversation still needs: its screen, language, clinic, revision, safe-check.

    No answers, no safety flag, no history: the record has been stored (or nothing is stored
    at all), and "start again" begins afresh in the same language, for the same clinic.
    """
    if conv.state not in FINAL_STATES:
        return conv
    return Conversation(
        state=conv.state,
        lang=conv.lang,
        clinic=conv.clinic,
        revision=conv.revision,
        pending=conv.pending,
        safe_check=conv.safe_check,
        version=conv.version,
    )


def scrubbed(conv: Conversation, names: Sequence[str]) -> Conversation:
    """The conversation with its free text scrubbed, as it may be written to disk.

    The engine keeps the parent's own words so the summary can show them back; the session
    on disk holds only what an intake record could hold.
    """
    text = conv.answers.get("free_text")
    if not text:
        return conv
    return replace(conv, answers={**conv.answers, "free_text": storage.scrub(text, names)})
