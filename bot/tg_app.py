"""The Telegram bot's application: handlers that translate, and how they are wired together.

Each handler does one thing: update -> input -> `IntakeService` (engine and storage) ->
messages. The conversation itself lives in `flows`; nothing here decides what a parent is
asked. Logs name update kinds and reply keys only, never a person.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import json
import logging
import os
import traceback
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, TypeAlias, TypeVar

from telegram import (
    Bot,
    BotCommandScopeChat,
    CallbackQuery,
    Message,
    Update,
)
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

import storage
from bot.health import HEARTBEAT_SECONDS, beat, heartbeat_path
from bot.service import IntakeService, Outcome, Render, Seen
from bot.settings import ConfigError, Settings
from bot.staff.figures import headline
from bot.tally import Tally
from bot.tg_http import CoreRequest
from bot.tg_messages import (
    OWN_WORDS,
    Outgoing,
    Window,
    answered_line,
    answered_text,
    aside_of,
    descriptions,
    language_of,
    menu,
    names_of,
    render_messages,
    stats_text,
    tap_from,
    tapped_label,
)
from bot.tg_runtime import (
    LiveKeyboards,
    PerParentUpdates,
    RetryingRateLimiter,
    not_reached,
    open_service,
)
from bot.tg_storage import StorageThread
from flows.clinic import ClinicConfig, load_clinic_config
from flows.model import Aside, Input, Language, Tap, Text
from flows.safety import detect_crisis
from flows.safety import prepare as prepare_safety
from flows.screens import BACK
from flows.screens import stays as screen_stays
from flows.texts import render

log = logging.getLogger("intake.bot")

Context = ContextTypes.DEFAULT_TYPE
App: TypeAlias = "Application[Any, Any, Any, Any, Any, Any]"

#: The updates the bot asks Telegram for; everything else is never even fetched.
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "channel_post"]
#: The first purge runs soon after start (a bot restarted daily would otherwise never purge).
PURGE_FIRST = timedelta(minutes=1)
PURGE_INTERVAL = timedelta(days=1)
#: While another program reads the database (a backup, say), erased data stays in its
#: write-ahead log; emptying it is tried again this often until it works.
WAL_RETRY = timedelta(seconds=10)
WAL_JOB = "flush-wal"
#: After this long without an answer from storage, the parent hears "one moment".
WAIT_NOTE_AFTER = 2.0
#: Answering a button and closing an old keyboard get this long, retries included: they only
#: tidy the chat, and the conversation never waits longer for them.
COSMETIC_BUDGET = 3.0
#: How many message numbers are looked at to tell whether an undelivered reply arrived.
PROBE_LIMIT = 20
#: A delivered reply leaves the outbox with the next write, or after this long at the latest.
MARK_DELAY = 2.0
#: How often the counts of what was handled are logged (when anything was).
COUNTS_INTERVAL = timedelta(hours=1)
#: How often memory freed by the allocator is handed back to the system.
RELEASE_INTERVAL = timedelta(seconds=30)
#: Connections kept open to the Bot API. python-telegram-bot's default (256) lets the pool
#: grow to one connection per concurrent update, and httpcore looks at every pooled connection
#: (a poll and a getpeername each) on every request: at 50 parents at once that scan was a
#: fifth of the bot's CPU. 8 serve the concurrent updates as fast and cost the least CPU
#: (bench/bot.py, issue 14); at 40 ms to Telegram they carry 200 calls a second, several
#: times what Telegram lets a bot send.
BOT_API_CONNECTIONS = 8
#: How long a call may wait for one of them before it counts as failed (then retried).
BOT_API_POOL_WAIT = 10.0
#: Pauses between tries at reaching the Bot API at start.
START_PAUSES = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)

T = TypeVar("T")

SETTLED = {True: "found in the chat", False: "not in the chat", None: "not to be found out"}


class IntakeBot:
    """The handlers: each turns an update into an input and the outcome into messages."""

    def __init__(self, settings: Settings, service: IntakeService, storage: StorageThread) -> None:
        self.settings = settings
        #: Lives on the storage thread: reach it through `self.storage` only.
        self.service = service
        self.storage = storage
        self.keyboards: LiveKeyboards = LiveKeyboards()
        self.wal_retry = WAL_RETRY
        self.wait_note_after = WAIT_NOTE_AFTER
        self.cosmetic_budget = COSMETIC_BUDGET
        self.mark_delay = MARK_DELAY
        self._mark_timer: asyncio.TimerHandle | None = None
        self._marks: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.tally = Tally()

    def register(self, app: App) -> None:
        """Add the handlers, the error handler and the daily purge."""
        private = filters.ChatType.PRIVATE
        staff = filters.User(user_id=self.settings.staff_ids, allow_empty=False)
        app.add_handler(MessageHandler(~private, self.on_group))
        app.add_handler(
            CommandHandler("stats", self.on_stats, filters=staff & filters.UpdateType.MESSAGE)
        )
        app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & OWN_WORDS, self.on_text))
        app.add_handler(CallbackQueryHandler(self.on_tap))
        app.add_handler(MessageHandler(filters.ALL, self.on_other))
        app.add_error_handler(self.on_error)
        if app.job_queue is None:
            raise ConfigError(
                "The daily purge needs python-telegram-bot's job queue: "
                "pip install 'python-telegram-bot[job-queue]'."
            )
        app.job_queue.run_repeating(
            self.purge, interval=PURGE_INTERVAL, first=PURGE_FIRST, name="purge"
        )
        # The first beat is given at start (`build_application`); a job's first run scheduled
        # before the scheduler starts would be skipped as missed.
        app.job_queue.run_repeating(
            self.heartbeat, interval=HEARTBEAT_SECONDS, first=HEARTBEAT_SECONDS, name="heartbeat"
        )
        app.job_queue.run_repeating(
            self.counts, interval=COUNTS_INTERVAL, first=COUNTS_INTERVAL, name="counts"
        )
        release = memory_release()
        if release is not None:
            app.job_queue.run_repeating(
                release, interval=RELEASE_INTERVAL, first=RELEASE_INTERVAL, name="release-memory"
            )

    # ---- handlers

    async def on_text(self, update: Update, context: Context) -> None:
        """Typed text or a command -> Text -> service -> replies."""
        message = update.effective_message
        assert message is not None
        highest = self.keyboards.saw(message.chat_id, message.message_id)
        seen = Seen(message=highest)
        event = Text(message.text or "")
        outcome = await self.step(update, context, event, seen, upto=message.message_id)
        await self.deliver(context.bot, message.chat_id, outcome)

    async def on_tap(self, update: Update, context: Context) -> None:
        """A button -> Tap -> service -> the tapped message made into the next question.

        Two Bot API calls: the button is answered, and the tapped message is edited into the
        answer and what follows (`tg_messages.Window`). Where that cannot be (what follows
        stays in the chat, or the tap was stale), the replies are sent as new messages and
        the tapped keyboard is closed. Answering the button and closing a keyboard are best
        effort, within a short time.
        """
        query = update.callback_query
        chat = update.effective_chat
        assert query is not None
        if chat is None or chat.type != ChatType.PRIVATE:
            log.debug("tap in a %s chat -> bot.group", chat.type if chat else "unknown")
            note = render(language_of(update.effective_user), "bot.group")
            await self.tidy(query.answer(note[:200]), "a button press could not be answered")
            return
        answer = call(context.bot, ANSWER, callback_query_id=query.id)
        await self.tidy(answer, "a button press could not be answered")
        tap = tap_from(query.data)
        tapped = query.message if isinstance(query.message, Message) else None
        highest = self.keyboards.saw(chat.id, tapped.message_id if tapped else 0)
        window = self.window(update, tapped, tap, query.data)
        draw = render_messages if window is None else partial(render_messages, window=window)
        outcome = await self.step(update, context, tap, Seen(tap.revision, highest), draw=draw)
        drawn = window is not None and any(
            data.get("edit") == window.message for data in outcome.messages
        )
        closing = None if drawn else self.close_tapped(query, outcome)
        await self.deliver(context.bot, chat.id, outcome)
        if closing is not None:
            await self.tidy(closing(), "a tapped keyboard could not be closed")

    def window(
        self, update: Update, tapped: Message | None, tap: Tap, data: str | None
    ) -> Window | None:
        """The tapped message, to draw the tap's replies into; None where it must stay as it
        is: a screen that stays in the chat, or not the chat's live keyboard."""
        if tapped is None or screen_stays(tap.question):
            return None
        if not self.keyboards.may_draw(tapped.chat_id, tapped.message_id):
            return None
        label = tapped_label(tapped, data)
        if label is None:
            return None
        if tap.code == BACK:
            return Window(tapped.message_id)  # the question before shows its own answer
        lang = language_of(update.effective_user)
        return Window(tapped.message_id, answered_line(label, lang))

    async def on_other(self, update: Update, context: Context) -> None:
        """A sticker, photo, edit, forward... -> Aside -> a crisis reply if its words call for
        one, then a short kind note and the question again.

        Such a message is never an answer and nothing of it is stored: its words (a caption,
        the edited or forwarded text) are read for crisis signals only, and a shared contact
        or location no further than its kind.
        """
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        highest = self.keyboards.saw(message.chat_id, message.message_id)
        aside = aside_of(message, edited=update.edited_message is not None)
        seen = Seen(message=highest)
        outcome = await self.step(update, context, aside, seen, upto=message.message_id)
        await self.deliver(context.bot, message.chat_id, outcome)

    async def on_group(self, update: Update, context: Context) -> None:
        """Anything in a group or channel -> a note that the bot talks in private chats only."""
        chat = update.effective_chat
        if chat is None:
            return
        log.debug("%s chat -> bot.group", chat.type)
        lang = language_of(update.effective_user)
        await deliver(context.bot, chat.id, Outgoing(render(lang, "bot.group")))

    async def on_stats(self, update: Update, context: Context) -> None:
        """Staff /stats -> headline figures (counts only, never free text)."""
        chat = update.effective_chat
        assert chat is not None
        lang = language_of(update.effective_user)
        figures = await self.storage.run_retrying(headline, self.service.db, lang)
        log.debug("stats -> bot.stats")
        text = stats_text(lang, figures)
        await deliver(context.bot, chat.id, Outgoing(text))

    async def on_error(self, update: object, context: Context) -> None:
        """Blocked: quiet. Network: logged (already retried). Else: apology, log, no identifiers."""
        error = context.error
        kind = update_kind(update)
        if isinstance(error, Forbidden):
            log.debug("a parent cannot be reached (the bot was blocked); %s dropped", kind)
            self.tally.reply("blocked")
            return
        if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
            log.warning("network error (%s) on a %s, after retries", type(error).__name__, kind)
            return
        log.error("unexpected %s on a %s: %s", type(error).__name__, kind, where(error))
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or chat.type != ChatType.PRIVATE:
            return
        lang = language_of(update.effective_user if isinstance(update, Update) else None)
        apology = render(lang, "bot.apology", **self.service.engine.clinics.values(lang, ""))
        try:
            await deliver(context.bot, chat.id, Outgoing(apology))
        except Exception as failed:  # the apology is best effort: never an error loop
            log.warning("the apology could not be sent either (%s)", type(failed).__name__)

    async def purge(self, context: Context) -> None:
        """The daily retention job: idle sessions, expired links, old intakes."""
        report = await self.storage.run_retrying(self.service.purge)
        log.info(
            "purged %d idle session(s), %d expired link(s), %d old intake(s)",
            report.sessions,
            report.links,
            report.intakes,
            extra={
                "event": "purge",
                "counts": {
                    "sessions": report.sessions,
                    "links": report.links,
                    "intakes": report.intakes,
                },
            },
        )
        self.keep_flushing(context.job_queue)

    def keep_flushing(self, job_queue: JobQueue[Any] | None) -> None:
        """While erased data may still be in the write-ahead log, retry in the background."""
        if not self.service.wal_pending or job_queue is None:
            return
        if job_queue.get_jobs_by_name(WAL_JOB):
            return  # already retrying
        log.warning(
            "another program is reading the database, so erased data stays in its write-ahead "
            "log for now; trying again every %g s",
            self.wal_retry.total_seconds(),
        )
        job_queue.run_repeating(
            self.flush_wal, interval=self.wal_retry, first=self.wal_retry, name=WAL_JOB
        )

    async def flush_wal(self, context: Context) -> None:
        """The retry job: empty the write-ahead log, and stop once that has worked."""
        if await self.storage.run(self.service.flush_wal) and context.job is not None:
            log.info("the write-ahead log is emptied: erased data is gone from it")
            context.job.schedule_removal()

    async def heartbeat(self, context: Context) -> None:
        """Every 30 s: renew the file `intake health` reads (an mtime, never a database row)."""
        beat(heartbeat_path(self.settings.db_path))

    async def counts(self, context: Context) -> None:
        """The hourly job: what was handled, in counts (`log_counts`)."""
        self.log_counts()

    def log_counts(self) -> None:
        """One INFO line of what was handled since the last, by kind; none if nothing was."""
        report = self.tally.report()
        if report is None:
            return
        line, counts = report
        extra = {"event": "counts", "counts": counts}
        log.info("handled since the last count: %s", line, extra=extra)

    def on_drop(self, update: Update, first: bool) -> None:
        """A parent flooding the bot: the first dropped update of a flood gets one gentle note."""
        self.tally.update("dropped")
        chat = update.effective_chat
        if not first or chat is None or chat.type != ChatType.PRIVATE:
            return
        note = Outgoing(render(language_of(update.effective_user), "bot.flood"))
        log.debug("flood -> bot.flood")
        bot = update.get_bot()
        self.spawn(self.tidy(deliver(bot, chat.id, note), "a note could not be sent"))

    # ---- steps

    async def step(
        self,
        update: Update,
        context: Context,
        event: Input,
        seen: Seen,
        upto: int = 0,
        draw: Render = render_messages,
    ) -> Outcome:
        """Step the parent's conversation and store it; log kinds and keys only.

        A reply of the parent's last step that may not have arrived is settled first: a tap
        says by its revision, for anything else the chat is looked at (`probe`, up to the
        message number ``upto``). When that cannot tell, the input is not taken as an answer
        (it might answer either question): the last step is shown again, with a note.
        ``draw`` makes the replies into messages (a tap's may be drawn into the tapped one).
        """
        user, chat = update.effective_user, update.effective_chat
        assert user is not None
        assert chat is not None
        lang, names = language_of(user), names_of(user)
        kwargs = {"lang": lang, "names": names, "render": draw}
        outcome = await self.stored(
            context.bot,
            chat.id,
            lang,
            self.service.handle,
            user.id,
            event,
            seen=seen,
            delivered=self.take_marks(),
            **kwargs,
        )
        if outcome.unsettled is not None:
            arrived = await self.probe(context.bot, chat.id, outcome.unsettled, upto)
            log.debug("an unconfirmed reply was %s", SETTLED[arrived])
            typed = isinstance(event, Text | Aside)
            if arrived is None and typed and detect_crisis(event.text):
                arrived = True  # a crisis is answered at once, wherever the parent is
            if arrived is None:
                log.debug("%s -> bot.resend", type(event).__name__.lower())
                self.tally.update(type(event).__name__.lower(), "resent")
                return resend(outcome)
            seen = Seen(seen.revision, seen.message, delivered=arrived)
            outcome = await self.stored(
                context.bot, chat.id, lang, self.service.handle, user.id, event, seen=seen, **kwargs
            )
        kind = event.note if isinstance(event, Aside) else type(event).__name__.lower()
        log.debug("%s -> %s", kind, " ".join(r.key for r in outcome.replies))
        self.tally.stepped(type(event).__name__.lower(), outcome)
        self.keep_flushing(context.job_queue)
        return outcome

    async def stored(
        self,
        bot: Bot,
        chat_id: int,
        lang: Language,
        call: Callable[..., T],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> T:
        """Run ``call`` on the storage thread; if that takes long, the parent hears "one moment"."""
        loop = asyncio.get_running_loop()
        note = loop.call_later(self.wait_note_after, self.say_wait, bot, chat_id, lang)
        try:
            return await self.storage.run_retrying(call, *args, **kwargs)
        finally:
            note.cancel()

    def say_wait(self, bot: Bot, chat_id: int, lang: Language) -> None:
        log.debug("slow storage -> bot.wait")
        self.tally.reply("wait")
        note = Outgoing(render(lang, "bot.wait"))
        self.spawn(self.tidy(deliver(bot, chat_id, note), "a note could not be sent"))

    async def probe(
        self, bot: Bot, chat_id: int, pending: storage.Pending, upto: int
    ) -> bool | None:
        """Whether an undelivered step's reply is in the chat; None when that cannot be told.

        A reply that edits a message is applied again: Telegram says "not modified" when it
        was there. A reply sent as new messages would have a number between the last one
        known when the step was stored and the parent's new message: each of those numbers is
        asked to drop its keyboard, which only a message of the bot's that has one can do (an
        old keyboard lost is no loss). Too many numbers between (a busy bot numbers all its
        chats' messages in one sequence) cannot be looked through: None.
        """
        messages = [Outgoing.from_data(data) for data in json.loads(pending.messages)]
        last = messages[-1] if messages else None
        if last is None:
            return True
        if last.edit is not None:
            try:
                await edit(bot, chat_id, last)
            except BadRequest as error:
                return "not modified" in error.message
            except TelegramError:
                return None
            return False  # it is there now, but the parent answered what they saw before
        numbers = range(pending.last_message + 1, upto)
        if len(numbers) > PROBE_LIMIT:
            return None
        for number in numbers:
            try:
                if await drop_keyboard(bot, chat_id, number):
                    return True
            except BadRequest:
                continue  # not the bot's, gone, or without a keyboard
            except TelegramError:
                return None
        return False

    async def deliver(self, bot: Bot, chat_id: int, outcome: Outcome) -> None:
        """Clear the chat's older keyboard, send (or edit) the messages, then mark them sent.

        A step kept in the outbox is marked delivered once every message is out; one that
        provably did not reach Telegram is marked unsent, so the parent's next input answers
        what they saw before it.
        """
        if not outcome.messages:
            return
        # Older keyboards are cleared only once the new messages are out: until then the
        # parent can still answer what they see, should the bot stop in between.
        older = self.keyboards.take(chat_id)
        stale = set() if older is None else {older}
        try:
            for data in outcome.messages:
                message = Outgoing.from_data(data)
                number = await put(bot, chat_id, message)
                if message.edit is not None:
                    if number is None or number == message.edit:
                        stale.discard(message.edit)  # its keyboard is the new one
                    else:
                        stale.add(message.edit)  # sent anew instead: its keyboard is old
                if number is not None:
                    self.keyboards.saw(chat_id, number)
                    if message.buttons:
                        self.keyboards.remember(chat_id, number)
        except TelegramError as error:
            if outcome.kept and refused(error):
                self.storage.post(self.service.unsent, outcome.pseudonym)
            raise
        if outcome.kept:
            self.mark(outcome.pseudonym)
        for number in sorted(stale):
            await self.clear_keyboard(bot, chat_id, number)

    def mark(self, pseudonym: str) -> None:
        """The parent's outbox row was delivered: it goes with the next step's write (whoever
        that step is for), or after `mark_delay` when no step comes."""
        self._marks.add(pseudonym)
        if self._mark_timer is None:
            loop = asyncio.get_running_loop()
            self._mark_timer = loop.call_later(self.mark_delay, self._flush_marks)

    def take_marks(self) -> set[str]:
        marks, self._marks = self._marks, set()
        return marks

    def _flush_marks(self) -> None:
        self._mark_timer = None
        marks = self.take_marks()
        if marks:
            self.storage.post(self.service.delivered_now, marks)

    def close_tapped(
        self, query: CallbackQuery, outcome: Outcome
    ) -> Callable[[], Awaitable[object]] | None:
        """The edit that marks the tapped question with the answer (or just clears a stale
        keyboard), to be made once the replies are out; None when there is nothing to close."""
        message = query.message
        if not isinstance(message, Message):
            return None  # too old for Telegram to let us see or edit it
        if self.keyboards.closed(message.chat_id, message.message_id):
            return None  # a second tap on a keyboard closed already: nothing left to close
        self.keyboards.discard(message.chat_id, message.message_id)
        stale = not outcome.replies or any(reply.key == "stale" for reply in outcome.replies)
        label = None if stale else tapped_label(message, query.data)
        lang = outcome.conversation.lang
        text = answered_text(message.text or "", label, lang) if label else None
        chat_id, number = message.chat_id, message.message_id
        if text is None:
            if message.reply_markup is None:
                return None
            return lambda: drop_keyboard(message.get_bot(), chat_id, number)
        answered = Outgoing(text, edit=number)
        return lambda: edit(message.get_bot(), chat_id, answered)

    async def clear_keyboard(self, bot: Bot, chat_id: int, message_id: int | None) -> None:
        """Remove a keyboard that has gone stale, if there is one."""
        if message_id is None:
            return
        await self.tidy(
            drop_keyboard(bot, chat_id, message_id), "an old keyboard could not be cleared"
        )

    async def tidy(self, call: Awaitable[object], what: str) -> None:
        """A call that only tidies the chat: best effort, within a short time, never an error.

        A blocked bot is left to the message that follows to find out.
        """
        try:
            async with asyncio.timeout(self.cosmetic_budget):
                await call
        except TimeoutError:
            log.debug("%s in time", what)
        except TelegramError as error:
            log.debug("%s (%s)", what, describe(error))

    def spawn(self, call: Awaitable[None]) -> asyncio.Task[None]:
        """Run ``call`` beside the current update, keeping hold of it until it is done."""
        task = asyncio.ensure_future(call)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def settle_memory() -> None:
    """Leave what the bot loaded at start out of every garbage collection from now on.

    The lexicons, the second reader's model, the state machine and the libraries are about
    120,000 objects that live as long as the bot. Each update allocates and drops thousands
    of small ones (a Bot API call is requests, responses, locks, cancel scopes), so the cyclic
    collector runs often, and each full run looked through all of them again: 26 ms a time.
    `gc.freeze` moves them to a generation the collector never visits (the documented way for
    a long-running process to stop paying for its start-up; issue 14 measures the gain).
    """
    gc.collect()
    gc.freeze()


def memory_release() -> Callable[[Context], Awaitable[None]] | None:
    """A job that hands memory freed since the last run back to the system (glibc only).

    Each update allocates and frees buffers (requests, answers, long texts) between the few
    things kept for longer; glibc's allocator keeps the freed pages, so the bot's resident
    memory would grow with the number of parents served although what it keeps is bounded.
    `malloc_trim` returns them. Elsewhere (no glibc) there is nothing to do.
    """
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return None

    async def release(context: Context) -> None:
        trim(0)

    return release


def resend(outcome: Outcome) -> Outcome:
    """The undelivered step shown again with a note, the input not taken as an answer."""
    assert outcome.unsettled is not None
    lang = outcome.conversation.lang
    note = Outgoing(render(lang, "bot.resend")).data
    # Sent anew under the note, even what was to be drawn into a tapped message higher up.
    again = (
        {k: v for k, v in data.items() if k != "edit"}
        for data in json.loads(outcome.unsettled.messages)
    )
    messages = (note, *again)
    return Outcome((), outcome.conversation, outcome.saved, outcome.pseudonym, messages, kept=True)


def refused(error: TelegramError) -> bool:
    """Whether a failed call provably did not reach the parent (Telegram refused, or was not
    reached at all)."""
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        return not_reached(error)
    return True


def describe(error: TelegramError) -> str:
    """An error in a few words for the log: its kind and Telegram's reason, never a value."""
    return f"{type(error).__name__}: {error.message}"[:160]


#: Telegram's method names are case-insensitive ("All methods in the Bot API are
#: case-insensitive"). The bot's own messages go out through `Bot.do_api_request` as plain
#: JSON (see `call`), which warns when a method is named as python-telegram-bot names one of
#: its own; in lower case they are the same methods, without the warning.
SEND, EDIT_TEXT, EDIT_KEYBOARD = "sendmessage", "editmessagetext", "editmessagereplymarkup"
ANSWER = "answercallbackquery"


async def call(bot: Bot, method: str, **params: Any) -> Any:
    """One Bot API call, plain JSON in and out, through python-telegram-bot's request path
    (the same rate limiter, retries, timeouts and errors as its own calls).

    Its own calls build objects for what goes out (a keyboard of button objects, turned back
    into JSON) and for what comes back (every sent or edited message parsed into a `Message`
    with its keyboard); the bot needs nothing of an answer but a message's number, and that
    work was a tenth of its CPU per update (issue 14).
    """
    return await bot.do_api_request(method, api_kwargs=params)


async def put(bot: Bot, chat_id: int, message: Outgoing) -> int | None:
    """Send the message, or make the message it edits into it: the number of the message
    that now shows it, None when it showed that already. An edit that cannot be made (the
    message is gone, or the Bot API failed it after retries) is sent anew, so the parent
    always gets the next question."""
    if message.edit is None:
        return await deliver(bot, chat_id, message)
    try:
        return await edit(bot, chat_id, message)
    except BadRequest as error:
        if "not modified" in error.message:
            return None  # it shows this already
        log.debug("a message could not be edited (%s); sent anew", error.message)
    except Forbidden:
        raise  # blocked: nothing can reach the parent
    except TelegramError as error:
        log.warning("a message could not be edited (%s); sent anew", describe(error))
    return await deliver(bot, chat_id, message)


async def edit(bot: Bot, chat_id: int, message: Outgoing) -> int | None:
    """Make the message ``message.edit`` into ``message``; the number it keeps."""
    assert message.edit is not None
    edited = await call(bot, EDIT_TEXT, chat_id=chat_id, message_id=message.edit, **message.fields)
    return int(edited["message_id"]) if isinstance(edited, dict) else None


async def deliver(bot: Bot, chat_id: int, message: Outgoing) -> int:
    """Send one message: HTML-escaped text, its keyboard, no link previews; its number."""
    sent = await call(bot, SEND, chat_id=chat_id, **message.fields)
    return int(sent["message_id"])


async def drop_keyboard(bot: Bot, chat_id: int, message_id: int) -> bool:
    """Take the keyboard off a message of the bot's: whether there was one to take."""
    return bool(await call(bot, EDIT_KEYBOARD, chat_id=chat_id, message_id=message_id))


def update_kind(update: object) -> str:
    """What sort of update this was, for logs: never who sent it or what it said."""
    if not isinstance(update, Update):
        return "background task" if update is None else type(update).__name__
    for kind in ("callback_query", "edited_message", "channel_post", "message"):
        if getattr(update, kind) is not None:
            return kind.replace("_", " ")
    return "update"


def where(error: BaseException | None) -> str:
    """Where an error happened, as file:line in function: its message may hold personal data."""
    if error is None:
        return "no error"
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return " <- ".join(
        f"{os.path.basename(frame.filename)}:{frame.lineno} in {frame.name}"
        for frame in reversed(frames)
    )


class IntakeApplication(Application):  # type: ignore[type-arg]
    """python-telegram-bot's Application, patient at start, and flat in memory.

    - Start-up waits out a Bot API that cannot be reached, answers 429 or 5xx, or sends
      something that is not its JSON: each try is one log line, with growing pauses. Only a
      token the Bot API refuses stops it (`InvalidToken`).
    - Without persistence, python-telegram-bot would still collect every chat and user id
      it sees, for a persistence that never comes; those sets grow with every parent.
    """

    start_pauses: tuple[float, ...] = START_PAUSES

    async def initialize(self) -> None:
        pauses = self.start_pauses
        for attempt in range(10**9):
            try:
                await super().initialize()
                return
            except InvalidToken:
                raise
            except TelegramError as error:
                pause = pauses[min(attempt, len(pauses) - 1)]
                log.warning(
                    "the Bot API cannot be used yet (%s); trying again in %g s",
                    describe(error),
                    pause,
                )
                await asyncio.sleep(pause)

    def _mark_for_persistence_update(self, *, update: object = None, job: Any = None) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


def build_application(settings: Settings, request: BaseRequest | None = None) -> App:
    """The configured application: handlers, menus, purge, retries, per-parent ordering.

    The database is opened here, so a bad path fails at start, and handed to the storage
    thread. ``request`` replaces the network (tests pass a fake Bot API).
    """
    # Opt in to python-telegram-bot's timedelta periods now: the int form warns (deprecated
    # since 22.2) on every flood-control answer.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    clinics = load_clinic_config(settings.clinic_config)
    storage_thread = StorageThread()
    try:
        service = storage_thread.call(open_service, settings, clinics)
    except BaseException:
        storage_thread.close()
        raise
    intake_bot = IntakeBot(settings, service, storage_thread)

    async def start(app: App) -> None:
        await with_retries(lambda: set_menus(app.bot, settings.staff_ids), "the menus")
        await with_retries(lambda: set_descriptions(app.bot, clinics), "the descriptions")
        prepare_safety()  # the lexicons and model load now, not at the first parent's message
        settle_memory()
        beat(heartbeat_path(settings.db_path))
        log.info("intake bot started; menus set in English and Swedish")
        await report_state(intake_bot)

    async def stop(app: App) -> None:
        gc.unfreeze()  # a process that goes on (the tests) collects them again
        intake_bot.log_counts()
        storage_thread.call(service.delivered_now, intake_bot.take_marks())
        storage_thread.call(service.db.close)
        storage_thread.close()
        # Stopped cleanly: no heartbeat, so `intake health` says so and a restore may go ahead.
        heartbeat_path(settings.db_path).unlink(missing_ok=True)

    builder = (
        Application.builder()
        .application_class(IntakeApplication)
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(RetryingRateLimiter(settings.rate_limit))
        .concurrent_updates(PerParentUpdates(on_drop=intake_bot.on_drop))
        .post_init(start)
        .post_shutdown(stop)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    elif settings.proxy is not None:  # httpx speaks to proxies; the lean client does not
        builder = (
            builder.proxy(settings.proxy)
            .get_updates_proxy(settings.proxy)
            .connection_pool_size(BOT_API_CONNECTIONS)
            .pool_timeout(BOT_API_POOL_WAIT)
        )
    else:
        calls = CoreRequest(BOT_API_CONNECTIONS, pool_timeout=BOT_API_POOL_WAIT)
        builder = builder.request(calls).get_updates_request(CoreRequest())
    app = builder.build()
    intake_bot.register(app)
    app.bot_data["intake"] = intake_bot
    return app


async def with_retries(call: Callable[[], Awaitable[object]], what: str) -> None:
    """Try ``call`` until the Bot API takes it (a refusal is logged, and given up)."""
    for attempt in range(10**9):
        try:
            await call()
            return
        except (BadRequest, InvalidToken):
            raise
        except TelegramError as error:
            pause = START_PAUSES[min(attempt, len(START_PAUSES) - 1)]
            log.warning(
                "%s could not be set (%s); trying again in %g s", what, describe(error), pause
            )
            await asyncio.sleep(pause)


async def report_state(intake_bot: IntakeBot) -> None:
    """At start: replies still waiting for their parents, and rows under a previous key."""
    service = intake_bot.service
    waiting = await intake_bot.storage.run(storage.count_outbox, service.db)
    if waiting:
        log.info("%d reply(ies) wait to be delivered when their parent next writes", waiting)
    sessions, links = await intake_bot.storage.run(service.keys_report)
    if service.previous_secret is not None:
        log.warning(
            "%d unfinished conversation(s) and %d link(s) still use the previous key "
            "(INTAKE_SECRET_PREVIOUS); each moves to the current key when its parent next "
            "writes, and the previous key can go once none is left",
            sessions,
            links,
        )
    elif sessions or links:
        log.warning(
            "%d unfinished conversation(s) and %d link(s) were made with another key than "
            "INTAKE_SECRET: set the former key as INTAKE_SECRET_PREVIOUS so they can be found",
            sessions,
            links,
        )


async def set_menus(bot: Bot, staff_ids: frozenset[int]) -> None:
    """Telegram's command menu in English (the default) and Swedish; staff also see /stats."""
    await bot.set_my_commands(menu("en"))
    await bot.set_my_commands(menu("sv"), language_code="sv")
    for staff_id in sorted(staff_ids):
        scope = BotCommandScopeChat(staff_id)
        await bot.set_my_commands(menu("en", staff=True), scope=scope)
        await bot.set_my_commands(menu("sv", staff=True), scope=scope, language_code="sv")


async def set_descriptions(bot: Bot, clinics: ClinicConfig) -> None:
    """The bot's profile texts in English (the default) and Swedish (for Swedish clients)."""
    for lang, code in (("en", None), ("sv", "sv")):
        long, short = descriptions(lang, clinics.values(lang, ""))
        await bot.set_my_description(long, language_code=code)
        await bot.set_my_short_description(short, language_code=code)
