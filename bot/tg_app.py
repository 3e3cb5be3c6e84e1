"""The Telegram bot's application: handlers that translate, and how they are wired together.

Each handler does one thing: update -> input -> `IntakeService` (engine and storage) ->
messages. The conversation itself lives in `flows`; nothing here decides what a parent is
asked. Logs name update kinds and reply keys only, never a person.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, TypeAlias

from telegram import (
    Bot,
    BotCommandScopeChat,
    CallbackQuery,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError
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
from bot.service import IntakeService, Outcome
from bot.staff.figures import headline
from bot.tg_messages import (
    OWN_WORDS,
    Outgoing,
    answered_text,
    aside_of,
    descriptions,
    language_of,
    menu,
    messages_for,
    names_of,
    stats_text,
    tap_from,
    tapped_label,
)
from bot.tg_runtime import LiveKeyboards, PerParentUpdates, RetryingRateLimiter, open_service
from bot.tg_settings import Settings
from flows.clinic import ClinicConfig, load_clinic_config
from flows.model import Aside, Input, Reply, Text
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
LINK_PREVIEW = LinkPreviewOptions(is_disabled=True)


class IntakeBot:
    """The handlers: each turns an update into an input and the outcome into messages."""

    def __init__(self, settings: Settings, service: IntakeService) -> None:
        self.settings = settings
        self.service = service
        self.keyboards: LiveKeyboards = LiveKeyboards()
        self.wal_retry = WAL_RETRY

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
            raise storage.ConfigError(
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

    # ---- handlers

    async def on_text(self, update: Update, context: Context) -> None:
        """Typed text or a command -> Text -> service -> replies."""
        message = update.effective_message
        assert message is not None
        outcome = self.step(update, context, Text(message.text or ""))
        revision = outcome.conversation.revision
        await self.send(context.bot, message.chat_id, outcome.replies, revision)

    async def on_tap(self, update: Update, context: Context) -> None:
        """A button -> Tap -> service -> the tapped keyboard closed, replies sent."""
        query = update.callback_query
        assert query is not None
        try:
            await query.answer()
        except BadRequest as error:  # too old to answer (say, waiting out a restart): go on
            log.info("a button press could not be answered (%s)", error.message)
        outcome = self.step(update, context, tap_from(query.data))
        await self.close_tapped(query, outcome)
        chat = update.effective_chat
        if chat is not None:
            await self.send(context.bot, chat.id, outcome.replies, outcome.conversation.revision)

    async def on_other(self, update: Update, context: Context) -> None:
        """A sticker, photo, edit, forward... -> Aside -> a crisis reply if its words call for
        one, a short kind note, and the question again.

        Such a message is never an answer and nothing of it is stored: its words (a caption,
        the edited or forwarded text) are read for crisis signals only, and a shared contact
        or location no further than its kind.
        """
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        aside = aside_of(message, edited=update.edited_message is not None)
        outcome = self.step(update, context, aside)
        revision = outcome.conversation.revision
        await self.send(context.bot, message.chat_id, outcome.replies, revision)

    async def on_group(self, update: Update, context: Context) -> None:
        """Anything in a group or channel -> a note that the bot talks in private chats only."""
        chat = update.effective_chat
        if chat is None:
            return
        log.info("%s chat -> bot.group", chat.type)
        lang = language_of(update.effective_user)
        await deliver(context.bot, chat.id, Outgoing(render(lang, "bot.group")))

    async def on_stats(self, update: Update, context: Context) -> None:
        """Staff /stats -> headline figures (counts only, never free text)."""
        chat = update.effective_chat
        assert chat is not None
        lang = language_of(update.effective_user)
        text = stats_text(lang, headline(self.service.db, lang))
        log.info("stats -> bot.stats")
        await deliver(context.bot, chat.id, Outgoing(text))

    async def on_error(self, update: object, context: Context) -> None:
        """Blocked: quiet. Network: logged (already retried). Else: apology, log, no identifiers."""
        error = context.error
        kind = update_kind(update)
        if isinstance(error, Forbidden):
            log.info("a parent cannot be reached (the bot was blocked); %s dropped", kind)
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
        report = self.service.purge()
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
        if self.service.flush_wal() and context.job is not None:
            log.info("the write-ahead log is emptied: erased data is gone from it")
            context.job.schedule_removal()

    async def heartbeat(self, context: Context) -> None:
        """Every 30 s: renew the file `intake health` reads (an mtime, never a database row)."""
        beat(heartbeat_path(self.settings.db_path))

    # ---- steps

    def step(self, update: Update, context: Context, event: Input) -> Outcome:
        """Step the parent's conversation and store it; log kinds and keys only."""
        user = update.effective_user
        assert user is not None
        outcome = self.service.handle(user.id, event, lang=language_of(user), names=names_of(user))
        kind = event.note if isinstance(event, Aside) else type(event).__name__.lower()
        log.info("%s -> %s", kind, " ".join(r.key for r in outcome.replies))
        self.keep_flushing(context.job_queue)
        return outcome

    async def send(self, bot: Bot, chat_id: int, replies: Sequence[Reply], revision: int) -> None:
        """Clear the chat's older keyboard, then send the replies; remember the new keyboard."""
        await self.clear_keyboard(bot, chat_id, self.keyboards.take(chat_id))
        for message in messages_for(replies, revision):
            sent = await deliver(bot, chat_id, message)
            if message.buttons:
                self.keyboards.remember(chat_id, sent.message_id)

    async def close_tapped(self, query: CallbackQuery, outcome: Outcome) -> None:
        """Mark the tapped question with the answer (or just clear a stale keyboard)."""
        message = query.message
        if not isinstance(message, Message):
            return  # too old for Telegram to let us see or edit it
        self.keyboards.discard(message.chat_id, message.message_id)
        stale = any(reply.key == "stale" for reply in outcome.replies)
        label = None if stale else tapped_label(message, query.data)
        lang = outcome.conversation.lang
        text = answered_text(message.text or "", label, lang) if label else None
        try:
            if text is None:
                await message.edit_reply_markup(reply_markup=None)
            else:
                await message.edit_text(
                    Outgoing(text).html,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LINK_PREVIEW,
                )
        except BadRequest as error:  # already cleared by an earlier tap, or deleted
            log.info("a tapped keyboard could not be closed (%s)", error.message)

    async def clear_keyboard(self, bot: Bot, chat_id: int, message_id: int | None) -> None:
        """Remove a keyboard that has gone stale, if there is one."""
        if message_id is None:
            return
        try:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except BadRequest as error:  # the parent deleted it, or it was cleared already
            log.info("an old keyboard could not be cleared (%s)", error.message)


async def deliver(bot: Bot, chat_id: int, message: Outgoing) -> Message:
    """Send one message: HTML-escaped text, its keyboard, no link previews."""
    return await bot.send_message(
        chat_id,
        message.html,
        parse_mode=ParseMode.HTML,
        reply_markup=message.markup,
        link_preview_options=LINK_PREVIEW,
    )


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


def build_application(settings: Settings, request: BaseRequest | None = None) -> App:
    """The configured application: handlers, menus, purge, retries, per-parent ordering.

    The database is opened here, so a bad path fails at start. ``request``
    replaces the network (tests pass a fake Bot API).
    """
    # Opt in to python-telegram-bot's timedelta periods now: the int form warns (deprecated
    # since 22.2) on every flood-control answer.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    clinics = load_clinic_config(settings.clinic_config)
    intake_bot = IntakeBot(settings, open_service(settings, clinics))

    async def start(app: App) -> None:
        await set_menus(app.bot, settings.staff_ids)
        await set_descriptions(app.bot, clinics)
        beat(heartbeat_path(settings.db_path))
        log.info("intake bot started; menus set in English and Swedish")

    async def stop(app: App) -> None:
        intake_bot.service.db.close()
        # Stopped cleanly: no heartbeat, so `intake health` says so and a restore may go ahead.
        heartbeat_path(settings.db_path).unlink(missing_ok=True)

    builder = (
        Application.builder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .rate_limiter(RetryingRateLimiter(settings.rate_limit))
        .concurrent_updates(PerParentUpdates())
        .post_init(start)
        .post_shutdown(stop)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app = builder.build()
    intake_bot.register(app)
    app.bot_data["intake"] = intake_bot
    return app


async def set_descriptions(bot: Bot, clinics: ClinicConfig) -> None:
    """The bot's profile texts in English (the default) and Swedish (for Swedish clients)."""
    for lang, code in (("en", None), ("sv", "sv")):
        long, short = descriptions(lang, clinics.values(lang, ""))
        await bot.set_my_description(long, language_code=code)
        await bot.set_my_short_description(short, language_code=code)


async def set_menus(bot: Bot, staff_ids: frozenset[int]) -> None:
    """Telegram's command menu in English (the default) and Swedish; staff also see /stats."""
    await bot.set_my_commands(menu("en"))
    await bot.set_my_commands(menu("sv"), language_code="sv")
    for staff_id in sorted(staff_ids):
        scope = BotCommandScopeChat(staff_id)
        await bot.set_my_commands(menu("en", staff=True), scope=scope)
        await bot.set_my_commands(menu("sv", staff=True), scope=scope, language_code="sv")
