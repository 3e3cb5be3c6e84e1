"""How the bot runs: the service, per-parent ordering and fairness, retries, live keyboards.

None of this knows the conversation; `bot.telegram_bot` wires it to the handlers.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeAlias

import httpcore
import httpx
from telegram import Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, BaseRateLimiter, BaseUpdateProcessor

import storage
from bot.service import IntakeService
from bot.settings import ConfigError, Settings
from bot.tg_storage import BUSY_TIMEOUT_MS
from flows.clinic import ClinicConfig
from flows.engine import Engine
from flows.safety import detect_crisis

log = logging.getLogger("intake.bot")


def open_service(settings: Settings, clinics: ClinicConfig) -> IntakeService:
    """The intake service over the configured database, for the bot's storage thread.

    A statement waits only briefly for another program's lock: the step is tried again from
    the event loop instead (`bot.tg_storage`).
    """
    try:
        db = storage.open_db(settings.db_path, busy_timeout_ms=BUSY_TIMEOUT_MS)
    except (OSError, sqlite3.Error) as error:
        raise ConfigError(
            f"INTAKE_DB: cannot open the database at {settings.db_path} ({error})."
        ) from None
    # A step reads one session and appends rows: SQLite's default page cache (2 MB) would fill
    # with pages of the growing intakes table, memory that grows with parents for nothing.
    db.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    return IntakeService(
        db,
        Engine(clinics),
        settings.secret,
        settings.retention,
        previous_secret=settings.previous_secret,
    )


#: SQLite's page cache for the bot's connection, in KiB.
PAGE_CACHE_KIB = 256

#: Updates of one chat that may wait while one of its updates is under way; a parent who
#: sends more than this before the bot has answered is sending faster than a person reads.
CHAT_BOUND = 8


class PerParentUpdates(BaseUpdateProcessor):
    """Different parents' updates run concurrently; one parent's run one at a time, in order.

    python-telegram-bot takes one of its concurrent slots before it hands an update over, so
    an update that had to wait for its chat would hold a slot for nothing, and a parent who
    floods would hold them all. Here the first update of a chat works through its chat's
    queue, in one slot; an update that arrives meanwhile joins the queue and gives its slot
    back at once. At most ``bound`` wait per chat: the surplus is dropped, except a message in
    which a crisis is read, which always gets its turn (one per level waiting, as the reply is
    the same). ``on_drop(update, first)`` hears of each dropped update, ``first`` for the
    first of a flood. The queue is dropped when it empties, so memory does not grow with
    parents.
    """

    def __init__(
        self,
        max_concurrent_updates: int = 64,
        *,
        bound: int = CHAT_BOUND,
        on_drop: Callable[[Update, bool], None] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self.bound = bound
        self.on_drop = on_drop
        self._queues: dict[int, _ChatQueue] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        queue = self._queues.get(chat.id)
        if queue is not None:
            assert isinstance(update, Update)
            self._wait(queue, update, coroutine)
            return
        queue = self._queues[chat.id] = _ChatQueue()
        try:
            await coroutine
            while queue.waiting:
                _, level, waiting = queue.waiting.popleft()
                if level:
                    queue.crises.discard(level)
                await waiting
        finally:
            del self._queues[chat.id]
            for _, _, left in queue.waiting:  # only if cancelled while shutting down
                close(left)

    def _wait(self, queue: _ChatQueue, update: Update, coroutine: Awaitable[Any]) -> None:
        """Queue the update behind its chat's, or drop it when the chat floods."""
        level = crisis_in(update)
        if len(queue.waiting) < self.bound or (level and level not in queue.crises):
            queue.waiting.append((update, level, coroutine))
            if level:
                queue.crises.add(level)
            return
        close(coroutine)
        first = not queue.noted
        queue.noted = True
        log.debug("%s dropped: its chat sends faster than it can be answered", update_name(update))
        if self.on_drop is not None:
            self.on_drop(update, first)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    @property
    def chats_in_progress(self) -> int:
        return len(self._queues)


class _ChatQueue:
    __slots__ = ("crises", "noted", "waiting")

    def __init__(self) -> None:
        self.waiting: deque[tuple[Update, str | None, Awaitable[Any]]] = deque()
        self.crises: set[str] = set()  # crisis levels among the waiting
        self.noted = False  # the parent was told that some of a flood was dropped


def close(coroutine: Awaitable[Any]) -> None:
    """Let go of a coroutine that will never run (without a never-awaited warning)."""
    if isinstance(coroutine, Coroutine):
        coroutine.close()


def crisis_in(update: Update) -> str | None:
    """The crisis level read in the words a parent sent (a text, a caption, an edit).

    A button press carries the bot's own question, not the parent's words: it is not read
    (a safety question's words would otherwise read as a crisis, on every tap, and cost a
    reading of the whole question each time).
    """
    message = update.message or update.edited_message or update.channel_post
    if message is None:
        return None
    text = message.text or message.caption
    return detect_crisis(text) if text else None


def update_name(update: Update) -> str:
    """What sort of update this is, for logs: never who sent it or what it said."""
    for kind in ("callback_query", "edited_message", "channel_post", "message"):
        if getattr(update, kind) is not None:
            return kind.replace("_", " ")
    return "update"


#: What a Bot API call answers (python-telegram-bot's JSON, before it makes objects of it).
Answer: TypeAlias = bool | dict[str, Any] | list[dict[str, Any]]
#: Flood control's wait is given in whole seconds: a call made again waits this much more.
FLOOD_MARGIN = 0.1

#: Calls that do the same when made twice: asking, setting, editing, answering a button. A
#: message sent twice is a question asked twice, so `sendMessage` is not among them.
REPEATABLE_CALLS = (
    "getMe",
    "getUpdates",
    "getWebhookInfo",
    "setWebhook",
    "deleteWebhook",
    "setMyCommands",
    "deleteMyCommands",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "close",
)
#: Telegram's method names are case-insensitive, and the bot names some in lower case
#: (bot/tg_app.py `call`): they are compared, and logged, in one form.
_NAMES = {name.lower(): name for name in (*REPEATABLE_CALLS, "sendMessage")}
REPEATABLE = frozenset(name.lower() for name in REPEATABLE_CALLS)


def method_name(endpoint: str) -> str:
    """A Bot API method as Telegram's documentation spells it."""
    return _NAMES.get(endpoint.lower(), endpoint)


#: Failures of the transport (httpx's, or httpcore's under bot/tg_http.py) that prove a call
#: was never sent: no connection could be made, or none was free in time.
UNSENT_TIMEOUTS = (
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpcore.ConnectTimeout,
    httpcore.PoolTimeout,
)
NO_CONNECTION = (httpx.ConnectError, httpcore.ConnectError)


def not_reached(error: NetworkError) -> bool:
    """Whether a failed call provably did not reach the Bot API, so that sending it again
    cannot make a second copy: no connection could be made, or the Bot API answered with an
    error. A timeout or a broken connection after the request went out proves nothing."""
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return isinstance(
            cause,
            httpx.ConnectTimeout
            | httpx.PoolTimeout
            | httpcore.ConnectTimeout
            | httpcore.PoolTimeout,
        )
    if cause is None or isinstance(cause, TelegramError):
        return True  # the Bot API's own answer (a 5xx), not a failure of the transport
    return isinstance(cause, httpx.ConnectError | httpcore.ConnectError)


class RetryingRateLimiter(BaseRateLimiter[int]):
    """Flood control waited out and calls that failed on the network retried; with a rate,
    calls throttled too.

    With a rate (messages per second for the whole bot), python-telegram-bot's `AIORateLimiter`
    throttles the calls and waits out flood control, holding every call meanwhile. With none
    (0: a local Bot API server), a call goes straight out and a 429 is waited out for that
    call alone: nothing else stands between a call and the network.

    A call that does the same when repeated (`REPEATABLE`) is retried after any network
    failure, with growing pauses; a message is sent again only when the first try provably did
    not reach the Bot API (`not_reached`), so a slow answer never makes a parent see a
    question twice.
    """

    def __init__(
        self,
        rate: float,
        *,
        flood_retries: int = 3,
        network_retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.throttle = (
            AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=flood_retries)
            if rate
            else None
        )
        self.flood_retries = flood_retries
        self.network_retries = network_retries
        self.backoff = backoff

    async def initialize(self) -> None:
        if self.throttle is not None:
            await self.throttle.initialize()

    async def shutdown(self) -> None:
        if self.throttle is not None:
            await self.throttle.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        for attempt in range(self.network_retries + 1):
            try:
                if self.throttle is not None:
                    return await self.throttle.process_request(
                        callback, args, kwargs, endpoint, data, rate_limit_args
                    )
                retries = rate_limit_args or self.flood_retries
                return await flood_waited(callback, args, kwargs, endpoint, retries)
            except BadRequest:
                raise  # a request Telegram refused: sending it again would not help
            except NetworkError as error:
                repeatable = endpoint.lower() in REPEATABLE or not_reached(error)
                if attempt == self.network_retries or not repeatable:
                    raise
                pause = self.backoff * 2**attempt
                log.warning(
                    "%s failed on the network (%s); retry %d in %.1f s",
                    method_name(endpoint),
                    type(error).__name__,
                    attempt + 1,
                    pause,
                )
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover


async def flood_waited(
    callback: Callable[..., Coroutine[Any, Any, Answer]],
    args: Any,
    kwargs: dict[str, Any],
    endpoint: str,
    retries: int,
) -> Answer:
    """The call, with flood control (a 429) waited out and the call made again, ``retries``
    times at most; other calls go on meanwhile."""
    for attempt in range(retries + 1):
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as error:
            if attempt == retries:
                raise
            wait = error.retry_after
            pause = (wait.total_seconds() if isinstance(wait, timedelta) else wait) + FLOOD_MARGIN
            log.warning(
                "%s met flood control; retry %d in %.1f s",
                method_name(endpoint),
                attempt + 1,
                pause,
            )
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


class LiveKeyboards:
    """What the bot remembers of each chat: the message whose keyboard still works (so older
    ones can be cleared), the keyboard it closed last (so a second tap on it costs no edit),
    and the highest message number it has seen there (to tell later whether a reply arrived).

    Every step bumps the conversation's revision, which makes older keyboards stale; clearing
    them keeps the chat history clean. Bounded, so memory stays flat however many parents
    come: a chat forgotten here only keeps an old keyboard, which the engine answers as stale.
    The chats of the last ``size`` steps are plenty: a keyboard is cleared at the next step.
    """

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._chats: OrderedDict[int, _Chat] = OrderedDict()

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat()
            if len(self._chats) > self.size:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(chat_id)
        return chat

    def remember(self, chat_id: int, message_id: int) -> None:
        chat = self._chat(chat_id)
        chat.live = message_id
        if chat.closed == message_id:
            chat.closed = None  # drawn into anew: its keyboard is live again
        chat.highest = max(chat.highest, message_id)

    def take(self, chat_id: int) -> int | None:
        """The chat's live keyboard message, forgotten here (it is about to be cleared)."""
        chat = self._chats.get(chat_id)
        if chat is None or chat.live is None:
            return None
        live, chat.live = chat.live, None
        chat.closed = live
        return live

    def discard(self, chat_id: int, message_id: int) -> None:
        """Forget the chat's live keyboard if it is this message (it is being closed)."""
        chat = self._chat(chat_id)
        if chat.live == message_id:
            chat.live = None
        chat.closed = message_id

    def may_draw(self, chat_id: int, message_id: int) -> bool:
        """Whether a tap's replies may be drawn into this message: it is the chat's live
        keyboard, or the chat is not known here (since a restart, say). An older message's
        keyboard is not drawn into: the parent would not see it change, far up the chat."""
        chat = self._chats.get(chat_id)
        return chat is None or chat.live is None or chat.live == message_id

    def closed(self, chat_id: int, message_id: int) -> bool:
        """Whether this message's keyboard was closed already."""
        chat = self._chats.get(chat_id)
        return chat is not None and chat.closed == message_id

    def saw(self, chat_id: int, message_id: int) -> int:
        """Note a message number seen in the chat; the highest seen so far."""
        chat = self._chat(chat_id)
        chat.highest = max(chat.highest, message_id)
        return chat.highest

    def __len__(self) -> int:
        return len(self._chats)


class _Chat:
    __slots__ = ("closed", "highest", "live")

    def __init__(self) -> None:
        self.live: int | None = None
        self.closed: int | None = None
        self.highest = 0
