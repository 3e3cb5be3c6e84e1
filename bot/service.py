"""One parent's input, end to end: load the conversation, step the engine, carry out the
effects, and keep the conversation where it belongs.

Shared by the Telegram adapter and the terminal chat, so both record exactly alike. A
conversation is written to disk, under its pseudonym, only between consent and the end: that
is when a parent has answers to lose. Before consent, and once it has ended (completed,
declined, stopped, erased), it is held in memory only (`TransientConversations`), and an ended
one only as far as its last screen needs; a restart of the process forgets it, and the parent
simply starts again. A saved session is on disk before the replies are returned, so a reply
the parent sees always belongs to an answer that is already stored.

With a renderer (the Telegram adapter's), the replies of a saved conversation's step are also
written to the outbox in the same transaction, and stay there until the adapter says they
were delivered (`handle(delivered=...)`, `delivered_now`). A parent's next input first
settles an undelivered step: if they never saw it, the input is applied to what they did see
(docs/delivery.md).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import sqlite_utils

import storage
from flows.engine import Engine
from flows.model import Conversation, Input, Language, Reply, Step, Tap
from flows.notes import NOTE
from flows.questions import CONSENTED_STATES, FINAL_STATES
from flows.texts import render as render_text

#: The free-text answer of a parent who skipped it (the skip button's code, as
#: `flows.record` reads it): nothing to scrub.
SKIPPED = "skip"

#: Turns a step's replies (and the revision their buttons carry) into the adapter's messages:
#: plain JSON data, so that they can wait in the outbox.
Render = Callable[[Sequence[Reply], int], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class Seen:
    """What an input shows about what the parent had on screen, to settle an undelivered step."""

    revision: int | None = None  # a tap: the revision its keyboard was drawn for
    message: int = 0  # the highest message number the adapter knows in the chat, this one's too
    delivered: bool | None = None  # the adapter looked (`Outcome.unsettled`): did it arrive?


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one input led to: the replies to show and the conversation as it now stands."""

    replies: tuple[Reply, ...]
    conversation: Conversation
    saved: bool  # True when the conversation is stored on disk (after consent, before the end)
    pseudonym: str = ""
    #: With a renderer: the messages to deliver now, an undelivered step's first.
    messages: tuple[dict[str, Any], ...] = ()
    #: The messages wait in the outbox: tell `delivered` once they are out.
    kept: bool = False
    #: Nothing was stepped: an undelivered step may or may not have reached the parent, and
    #: the adapter must find out (and call again with `Seen.delivered`).
    unsettled: storage.Pending | None = None
    #: The step stored a completed intake.
    completed: bool = False


class TransientConversations:
    """Conversations held in memory only: before consent, and once ended.

    Bounded, so memory stays flat however many parents come: at most ``size`` conversations,
    each forgotten ``ttl`` seconds after its last step, the least recently stepped first when
    full. A parent forgotten here starts again from the welcome, which is all that is lost.
    An ended conversation is held as the few values of its screen (shared strings and small
    numbers), keyed by 64 bits of the pseudonym, so that holding one costs about 250 bytes.
    """

    def __init__(
        self,
        size: int = 4096,
        ttl: float = 24 * 60 * 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.size = size
        self.ttl = ttl
        self.clock = clock
        self._held: OrderedDict[int, tuple[float, Conversation | Screen]] = OrderedDict()

    def get(self, pseudonym: str) -> Conversation | None:
        self._expire()
        held = self._held.get(_short(pseudonym))
        if held is None:
            return None
        screen = held[1]
        return screen if isinstance(screen, Conversation) else unpack(screen)

    def hold(self, pseudonym: str, conv: Conversation) -> None:
        """Keep the conversation for a while; an ended one only as far as its screen needs."""
        key = _short(pseudonym)
        screen = pack(conv) if conv.state in FINAL_STATES else conv
        self._held[key] = (self.clock() + self.ttl, screen)
        self._held.move_to_end(key)
        self._expire()
        while len(self._held) > self.size:
            self._held.popitem(last=False)

    def forget(self, pseudonym: str) -> None:
        self._held.pop(_short(pseudonym), None)

    def _expire(self) -> None:
        # Every entry lives equally long and is moved to the end when held again, so the
        # first entry is always the next to expire.
        now = self.clock()
        while self._held:
            key, (expires, _) = next(iter(self._held.items()))
            if expires > now:
                return
            del self._held[key]

    def __len__(self) -> int:
        return len(self._held)


#: An ended conversation's screen: state, language, clinic, revision, pending choice,
#: safe-check, version.
Screen = tuple[str, Language, str, int, str, str, int]


def pack(conv: Conversation) -> Screen:
    """What an ended conversation still needs: its screen, language, clinic, revision, and a
    safe-check still waiting for the parent's answer.

    No answers, no safety flag, no history: the record has been stored (or nothing is stored
    at all), and "start again" begins afresh in the same language, for the same clinic.
    """
    return (
        conv.state,
        conv.lang,
        conv.clinic,
        conv.revision,
        conv.pending,
        conv.safe_check,
        conv.version,
    )


def unpack(screen: Screen) -> Conversation:
    state, lang, clinic, revision, pending, safe_check, version = screen
    return Conversation(
        state=state,
        lang=lang,
        clinic=clinic,
        revision=revision,
        pending=pending,
        safe_check=safe_check,
        version=version,
    )


def _short(pseudonym: str) -> int:
    """64 bits of a pseudonym: enough to tell 10,000 parents apart (a clash is about as
    likely as one in 10^11), in a third of the memory."""
    return int(pseudonym[:16], 16)


class IntakeService:
    """Steps a parent's conversation and keeps storage in line with it."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        engine: Engine,
        secret: str,
        retention: storage.RetentionSettings | None = None,
        transient: TransientConversations | None = None,
        *,
        previous_secret: str | None = None,
    ) -> None:
        self.db = db
        self.engine = engine
        self.secret = secret
        self.key = storage.key_fingerprint(secret)
        #: The key before the last rotation: parents found under it move to the current key.
        self.previous_secret = previous_secret or None
        self.retention = retention or storage.RetentionSettings()
        self.transient = transient or TransientConversations()
        #: True while deleted data may still be in the write-ahead log (a reader held it).
        self.wal_pending = False
        #: Outbox rows known delivered, deleted with the next write (`flush_delivered`).
        self._delivered: set[str] = set()
        #: Outbox rows that may be undelivered: found at start, or written and not yet
        #: confirmed. Only these are looked up; past `transient.size` of them (parents who
        #: blocked the bot), every step looks.
        self._undelivered: set[str] = set(storage.outbox_pseudonyms(db))
        self._look_always = len(self._undelivered) > self.transient.size
        #: Outbox rows known not to have reached the parent (the Bot API refused or was not
        #: reached); bounded, as a parent who blocked the bot never settles theirs.
        self._unsent: OrderedDict[str, None] = OrderedDict()
        if self.previous_secret is None:
            storage.stamp_keys(db, self.key)

    def pseudonym(self, user_id: int) -> str:
        return storage.pseudonym_for(user_id, self.secret)

    def previous_pseudonym(self, user_id: int) -> str | None:
        if self.previous_secret is None:
            return None
        return storage.pseudonym_for(user_id, self.previous_secret)

    def conversation(self, pseudonym: str, lang: str = "en") -> Conversation:
        """The parent's conversation (held in memory or saved), or a new one in their language."""
        return self._load(pseudonym, lang)[0]

    def handle(
        self,
        user_id: int,
        event: Input,
        *,
        lang: str = "en",
        names: Sequence[str] = (),
        seen: Seen | None = None,
        render: Render | None = None,
        delivered: Iterable[str] = (),
    ) -> Outcome:
        """Step the parent's conversation with one input and store what it asks for.

        ``names`` is everything the adapter knows that names the parent (for Telegram: first
        and last name, username with and without @, the numeric id): scrubbed from any free
        text stored, in the session and in the intake record. With ``render``, the replies of
        a saved conversation wait in the outbox until `delivered`; ``seen`` is what the input
        shows about what the parent has on screen. ``delivered``: pseudonyms whose outbox rows
        went out since the last call (they leave the outbox with this step's write).
        """
        self._delivered.update(delivered)
        self._undelivered -= self._delivered
        seen = seen or Seen()
        pseudonym = self.pseudonym(user_id)
        conv, on_disk = self._load(pseudonym, lang, user_id)
        previous = self.previous_pseudonym(user_id)
        if render is None:
            step = self.engine.handle(conv, event)
            if read_only(step, conv):
                return Outcome(step.replies, conv, on_disk, pseudonym)
            return self.apply(pseudonym, step, names, on_disk=on_disk, previous=previous)
        waiting = self._look_always or pseudonym in self._undelivered
        pending = storage.load_outbox(self.db, pseudonym) if waiting else None
        shown: str | None = None  # the screen the parent last saw, when it was not `conv`
        first: list[dict[str, Any]] = []
        if pending is not None:
            arrived = self._arrived(pseudonym, pending, event, seen)
            if arrived is None:
                return Outcome((), conv, on_disk, pseudonym, unsettled=pending)
            if arrived:
                self._delivered.add(pseudonym)
            elif pending.shown is not None:
                # The parent never saw the step: this input answers what they did see.
                shown = pending.shown
                before = Conversation.from_json(pending.shown)
                conv = replace(before, furthest=max(before.furthest, conv.furthest))
            else:
                # The end of a conversation never arrived: it goes first, and a tap on the
                # screen before it means nothing now.
                first = json.loads(pending.messages)
                if isinstance(event, Tap):
                    self._unsent.pop(pseudonym, None)
                    return Outcome((), conv, on_disk, pseudonym, tuple(first), kept=True)
        step = self.engine.handle(conv, event)
        if read_only(step, conv):
            # Read, not stepped (a photo's caption with nothing in it that matters): nothing
            # to save, so nothing is written, not even a session for a parent who has none.
            messages = (*first, *render(step.replies, conv.revision))
            return Outcome(step.replies, conv, on_disk, pseudonym, messages, kept=bool(first))
        outcome = self.apply(
            pseudonym,
            step,
            names,
            on_disk=on_disk,
            render=render,
            before=conv,
            shown=shown,
            seen=seen,
            previous=previous,
        )
        if first:
            return replace(outcome, messages=(*first, *outcome.messages), kept=True)
        return outcome

    def apply(
        self,
        pseudonym: str,
        step: Step,
        names: Sequence[str] = (),
        *,
        on_disk: bool = False,
        render: Render | None = None,
        before: Conversation | None = None,
        shown: str | None = None,
        seen: Seen | None = None,
        previous: str | None = None,
    ) -> Outcome:
        """Carry out a step's effects, then keep the conversation on disk or in memory.

        ``on_disk``: the conversation stepped was loaded from a saved session, which must go
        if the conversation no longer belongs on disk. With ``render``, a saved conversation's
        replies (and a completed one's) are written to the outbox in the same transaction,
        with what the parent last saw: ``shown`` (JSON) if given, else ``before``, the
        conversation stepped. ``previous`` is the parent's pseudonym under the previous key,
        which erasure also reaches.
        """
        conv = step.conversation
        replies = list(step.replies)
        kinds = {effect.kind for effect in step.effects}
        erase = "erase" in kinds
        keep = not kinds & {"erase", "discard"} and belongs_on_disk(conv)
        outbox = render is not None and (keep or ("complete" in kinds and on_disk))
        marks = self._delivered - {pseudonym}
        with storage.transaction(self.db):
            storage.delete_outbox(self.db, marks)
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
                erased = [storage.erase(self.db, p) for p in (pseudonym, previous) if p]
                key = NOTE.deleted_report
                report = render_text(
                    conv.lang,
                    key,
                    sessions=sum(e.sessions for e in erased),
                    intakes=sum(e.intakes for e in erased),
                )
                replies.append(Reply(key, report, stays=True))
            elif keep:
                conv = scrubbed(conv, names)
                storage.save_session(self.db, pseudonym, conv.to_json(), key=self.key)
            elif on_disk:
                # Completed, stopped, started over or declined: the saved answers (and free
                # text) go, so nothing under the pseudonym matches an intake.
                storage.delete_session(self.db, pseudonym)
            if outbox:
                assert render is not None
                live = render(replies, conv.revision)
                clean = on_disk_replies(step, names)
                stored = live if clean is None else render(clean, conv.revision)
                storage.save_outbox(
                    self.db,
                    pseudonym,
                    key=self.key,
                    revision=conv.revision,
                    messages=json.dumps(stored, ensure_ascii=False, separators=(",", ":")),
                    shown=None if not keep else shown or before_json(before, names),
                    last_message=(seen or Seen()).message,
                )
            elif render is not None and not erase:
                storage.delete_outbox(self.db, [pseudonym])
        self._delivered -= marks | {pseudonym}
        self._unsent.pop(pseudonym, None)
        if outbox:
            self._undelivered.add(pseudonym)
            self._look_always = self._look_always or len(self._undelivered) > self.transient.size
        else:
            self._undelivered.discard(pseudonym)
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
        if outbox:
            messages = tuple(live)
        else:
            messages = tuple(render(replies, conv.revision)) if render is not None else ()
        completed = any(e.kind == "complete" and e.record is not None for e in step.effects)
        return Outcome(
            tuple(replies), conv, keep, pseudonym, messages, kept=outbox, completed=completed
        )

    # ---- delivery

    def delivered_now(self, pseudonyms: Iterable[str]) -> int:
        """These parents' outbox rows reached Telegram: delete them now."""
        self._delivered.update(pseudonyms)
        return self.flush_delivered()

    def unsent(self, pseudonym: str) -> None:
        """The outbox row of this parent provably did not reach Telegram."""
        self._unsent[pseudonym] = None
        self._unsent.move_to_end(pseudonym)
        while len(self._unsent) > self.transient.size:
            self._unsent.popitem(last=False)

    def flush_delivered(self) -> int:
        """Delete the outbox rows known delivered now (rather than with the next step).

        While another program holds the database locked, they wait for the next write.
        """
        marks = set(self._delivered)
        if not marks:
            return 0
        try:
            with storage.transaction(self.db):
                gone = storage.delete_outbox(self.db, marks)
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            return 0
        self._delivered -= marks
        self._undelivered -= marks
        return gone

    def _arrived(
        self, pseudonym: str, pending: storage.Pending, event: Input, seen: Seen
    ) -> bool | None:
        """Whether the parent got the undelivered step; None when that cannot be told here."""
        if pseudonym in self._delivered:
            return True
        if pseudonym in self._unsent:
            return False
        if isinstance(event, Tap) and event.revision is not None:
            # A button carries the revision it was drawn for: one of the step's own (or later)
            # means the step arrived; an older one is the screen before it.
            return event.revision >= pending.revision
        return seen.delivered

    # ---- key rotation

    def keys_report(self) -> tuple[int, int]:
        """Sessions and links still under a key other than the current one."""
        return storage.keys_in_use(self.db).other_than(self.key)

    def purge(self) -> storage.PurgeReport:
        """Apply retention now (idle sessions, expired links, old intakes)."""
        self.flush_delivered()
        report = storage.purge(self.db, **asdict(self.retention))
        self.wal_pending = not report.flushed
        return report

    def flush_wal(self) -> bool:
        """Empty the write-ahead log; while a reader holds it, False and `wal_pending` set."""
        self.wal_pending = not storage.flush_wal(self.db)
        return not self.wal_pending

    def _load(
        self, pseudonym: str, lang: str, user_id: int | None = None
    ) -> tuple[Conversation, bool]:
        """The conversation, and whether it came from disk (it is never in both places).

        A parent found only under the previous key is moved to the current one first.
        """
        held = self.transient.get(pseudonym)
        if held is not None:
            return held, False
        raw = storage.load_session(self.db, pseudonym)
        previous = None if user_id is None else self.previous_pseudonym(user_id)
        if raw is None and previous is not None:
            with storage.transaction(self.db):
                moved = storage.move_pseudonym(self.db, previous, pseudonym, self.key)
            if moved:
                if previous in self._undelivered:
                    self._undelivered.add(pseudonym)
                raw = storage.load_session(self.db, pseudonym)
        if raw is None:
            return self.engine.new_conversation(lang), False
        return Conversation.from_json(raw), True


def read_only(step: Step, conv: Conversation) -> bool:
    """The input was read, not stepped: the engine handed the same conversation back."""
    return step.conversation is conv and not step.effects


def belongs_on_disk(conv: Conversation) -> bool:
    """Whether the conversation holds consent and answers that a restart must not lose.

    A parent who goes back to the welcome or the consent screen keeps their answers; only the
    end of the conversation, /restart or /stop lets them go.
    """
    if conv.state in FINAL_STATES:
        return False
    return conv.state in CONSENTED_STATES or bool(conv.answers)


def before_json(conv: Conversation | None, names: Sequence[str]) -> str | None:
    """The conversation the parent saw before a step, as the outbox may hold it."""
    return None if conv is None else scrubbed(conv, names).to_json()


def on_disk_replies(step: Step, names: Sequence[str]) -> list[Reply] | None:
    """The step's replies as the outbox may hold them, the parent's free text scrubbed; None
    when they hold no free text (then they may be kept as they are).

    The summary shows the free text back; on disk it is only what the session holds.
    """
    text = step.conversation.answers.get("free_text")
    if text in (None, "", SKIPPED) or not any(text in reply.text for reply in step.replies):
        return None
    clean = storage.scrub(text, names)
    return [replace(reply, text=reply.text.replace(text, clean)) for reply in step.replies]


def scrubbed(conv: Conversation, names: Sequence[str]) -> Conversation:
    """The conversation with its free text scrubbed, as it may be written to disk.

    The engine keeps the parent's own words so the summary can show them back; the session
    on disk holds only what an intake record could hold.
    """
    text = conv.answers.get("free_text")
    if text in (None, "", SKIPPED):
        return conv
    return replace(conv, answers={**conv.answers, "free_text": storage.scrub(text, names)})
