"""Pure translation between the engine's plain data and Telegram's: no network, no storage.

Replies become as few messages as fit a phone screen (a crisis reply and the suggestion's
headline always alone), their text escaped for HTML; options become one button per row with
compact callback data that carries the conversation revision, so a tap on an old keyboard is
recognised as stale by the engine.

A tap's answer is drawn over the tapped question where it can be (a `Window`): the tapped
message becomes the next question, the answer just given on a line above it, so a tap costs
two Bot API calls (answering the button, editing the message) instead of three. What stays in
the chat (`Reply.stays`: a crisis reply, the privacy notice, the summary, the suggestion...)
is never drawn over, nor drawn where the next tap would draw over it: it comes as new
messages, as do the replies to typed text.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Message, User
from telegram.ext import filters

from bot.staff.figures import Headline
from bot.staff.texts import code_label
from bot.staff.texts import text as staff_text
from flows.model import Aside, Language, Reply, Tap
from flows.parsing import COMMAND_ALIASES
from flows.texts import render

#: Telegram takes 4096 characters (UTF-16 units) of text; room is left for the answered mark.
MESSAGE_LIMIT = 3900
#: Replies are joined into one message only while it still fits a phone screen (PRODUCT.md:
#: about 700 characters); each reply fits one by itself (tests/bot/test_screens.py).
SCREEN_LIMIT = 700
#: Telegram's limit on a button's callback data, in bytes.
CALLBACK_LIMIT = 64
SEPARATOR = "|"
#: Link previews are off: a parent's words shown back never fetch anything.
NO_PREVIEW = {"is_disabled": True}

#: The commands shown in Telegram's menu, by the names each language's help text uses. Every
#: menu has /privacy: Telegram's clients look for it (a bot's privacy policy command).
MENUS: Mapping[Language, tuple[str, ...]] = {
    "en": ("start", "help", "back", "restart", "language", "privacy", "pause", "stop", "delete"),
    "sv": (
        "start",
        "hjalp",
        "tillbaka",
        "borja_om",
        "sprak",
        "privacy",
        "paus",
        "avbryt",
        "radera",
    ),
}
#: Telegram's limits on the bot's profile texts (setMyDescription, setMyShortDescription).
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120
STAFF_COMMANDS = ("stats",)

#: Message contents that are neither text nor a button, most specific first (an animation is
#: also a document, a venue also a location); each has a ``bot.kind.<kind>`` text.
KINDS = (
    "sticker",
    "photo",
    "voice",
    "video_note",
    "video",
    "audio",
    "animation",
    "document",
    "venue",
    "location",
    "contact",
    "poll",
    "dice",
)
#: What the parent is told about each kind (a venue is a location, for the parent).
KIND_TEXT = {kind: "location" if kind == "venue" else kind for kind in KINDS}


@dataclass(frozen=True, slots=True)
class Window:
    """The tapped message, which a tap's replies may be drawn into: its number, and the line
    that shows the answer just given above the next question ("" for none, as after back)."""

    message: int
    answered: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: plain text (escaped on the way out), buttons as (label, data).

    With ``edit``, the message of that number is changed into this one instead of a new one
    being sent. As plain data (`data`, `from_data`) it waits in the outbox until delivered.
    """

    text: str
    buttons: tuple[tuple[str, str], ...] = ()
    edit: int | None = None

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.buttons:
            data["buttons"] = [list(button) for button in self.buttons]
        if self.edit is not None:
            data["edit"] = self.edit
        return data

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Outgoing:
        buttons = tuple((str(label), str(value)) for label, value in data.get("buttons", ()))
        edit = data.get("edit")
        return cls(str(data["text"]), buttons, None if edit is None else int(edit))

    @property
    def html(self) -> str:
        return html.escape(self.text, quote=False)

    @property
    def fields(self) -> dict[str, Any]:
        """The message as the Bot API takes it (`sendMessage`, `editMessageText`): HTML, its
        keyboard one button a row, no link previews. Without buttons an edit drops the
        keyboard the message had."""
        found: dict[str, Any] = {
            "text": self.html,
            "parse_mode": "HTML",
            "link_preview_options": NO_PREVIEW,
        }
        if self.buttons:
            rows = [[{"text": label, "callback_data": data}] for label, data in self.buttons]
            found["reply_markup"] = {"inline_keyboard": rows}
        return found


def text_length(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def callback_data(revision: int, question: str, code: str) -> str:
    """``revision|question|code``: everything a tap needs, within Telegram's 64 bytes."""
    data = SEPARATOR.join((str(revision), question, code))
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"callback data for {question}/{code} is longer than {CALLBACK_LIMIT}")
    return data


def tap_from(data: str | None) -> Tap:
    """The tap a button's data stands for; data we did not make reads as a stale tap."""
    revision, _, rest = (data or "").partition(SEPARATOR)
    question, _, code = rest.partition(SEPARATOR)
    if not (revision.isascii() and revision.isdigit()) or not code:
        return Tap("", "", None)
    return Tap(question, code, int(revision))


def messages_for(replies: Iterable[Reply], revision: int) -> list[Outgoing]:
    """Replies as Telegram messages, in order.

    A crisis reply and the suggestion's headline are sent alone, so they stand out; other
    replies are joined into one message while it fits a phone screen, and a reply with
    options ends its message with the keyboard.
    """
    messages: list[Outgoing] = []
    texts: list[str] = []

    def flush(buttons: tuple[tuple[str, str], ...] = ()) -> None:
        if texts or buttons:
            pieces = split_text("\n\n".join(texts))
            messages.extend(Outgoing(piece) for piece in pieces[:-1])
            messages.append(Outgoing(pieces[-1], buttons))
            texts.clear()

    for reply in replies:
        if reply.alone or reply.kind == "crisis":
            flush()
            messages.extend(Outgoing(piece) for piece in split_text(reply.text))
            continue
        if texts and text_length("\n\n".join([*texts, reply.text])) > SCREEN_LIMIT:
            flush()
        texts.append(reply.text)
        if reply.options:
            question = reply.question or ""
            flush(
                tuple(
                    (option.label, callback_data(revision, question, option.code))
                    for option in reply.options
                )
            )
    flush()
    return messages


def drawn_into(
    window: Window, replies: Sequence[Reply], messages: Sequence[Outgoing]
) -> Outgoing | None:
    """The replies as one edit of the tapped message, or None where they must be new messages.

    They can be drawn there when they make one message that ends with the next screen's
    keyboard and nothing in them but that screen stays in the chat (a passing note may come
    along: the next answer draws over it too).
    """
    if len(messages) != 1 or not messages[0].buttons:
        return None
    if any(reply.stays for reply in replies if not reply.options):
        return None
    body = messages[0].text
    text = f"{window.answered}\n\n{body}" if window.answered else body
    if text_length(text) > MESSAGE_LIMIT:
        return None
    return Outgoing(text, messages[0].buttons, edit=window.message)


def render_messages(
    replies: Sequence[Reply], revision: int, window: Window | None = None
) -> list[dict[str, Any]]:
    """The replies as messages in plain data, as the outbox keeps them (`Outgoing.from_data`);
    with a tap's ``window``, drawn into the tapped message where they can be."""
    messages = messages_for(replies, revision)
    drawn = drawn_into(window, replies, messages) if window is not None else None
    return [drawn.data] if drawn is not None else [message.data for message in messages]


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Text in pieces Telegram accepts, cut at paragraph, line or word ends where possible."""
    pieces: list[str] = []
    while text_length(text) > limit:
        head = text[:limit]
        while text_length(head) > limit:  # characters outside the BMP count twice
            head = head[: len(head) - (text_length(head) - limit)]
        cut = max(head.rfind("\n\n"), head.rfind("\n"), head.rfind(" "))
        cut = cut if cut > limit // 2 else len(head)
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    pieces.append(text or "…")
    return pieces


def answered_line(label: str, lang: Language) -> str:
    """The line that shows the answer a tapped button gave: "✓ Often"."""
    return f"{render(lang, 'bot.answered')} {label.removeprefix('✓ ')}"


def answered_text(message_text: str, label: str, lang: Language) -> str | None:
    """The tapped question with the parent's answer under it, or None if that would not fit."""
    text = f"{message_text}\n\n{answered_line(label, lang)}"
    return text if text_length(text) <= 4096 else None


def tapped_label(message: Message, data: str | None) -> str | None:
    """The label of the button that was tapped, from the message's own keyboard."""
    markup = message.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def kind_of(message: Message) -> str:
    """What a message holds that is not text, as a ``bot.kind`` key."""
    for kind in KINDS:
        if getattr(message, kind):
            return KIND_TEXT[kind]
    return "other"


class _QuotedFromElsewhere(filters.MessageFilter):
    """Replies that quote a message from another chat: not the parent's own words."""

    __slots__ = ()

    def filter(self, message: Message) -> bool:
        return message.external_reply is not None


#: Typed text in the parent's own words: not forwarded, not quoting another chat.
OWN_WORDS = filters.TEXT & ~filters.FORWARDED & ~_QuotedFromElsewhere(name="QuotedFromElsewhere")


def aside_of(message: Message, *, edited: bool = False) -> Aside:
    """A message the engine reads for crisis signals only: never an answer, kept nowhere.

    Its kind names the note the parent gets (``bot.kind.<kind>``); its text is what words it
    carries: the edited text, a forwarded or quoting message's text, or a caption.
    """
    if edited:
        kind = "edited"
    elif message.forward_origin is not None:
        kind = "forwarded"
    elif message.external_reply is not None:
        kind = "quoted"
    else:
        kind = kind_of(message)
    return Aside(f"bot.kind.{kind}", message.text or message.caption or "")


def language_of(user: User | None) -> Language:
    """Swedish for a Swedish Telegram, English otherwise."""
    code = (user.language_code or "") if user else ""
    return "sv" if code.lower().startswith("sv") else "en"


def names_of(user: User) -> tuple[str, ...]:
    """Everything Telegram tells us that names the parent, to scrub from free text.

    First and last name, the username with and without @, and the numeric id as a decimal
    string: a parent may type any of them, and none may be stored (nor is any of them logged).
    """
    username = (user.username, f"@{user.username}") if user.username else ()
    return tuple(
        name for name in (user.first_name, user.last_name, *username, str(user.id)) if name
    )


def menu(lang: Language, *, staff: bool = False) -> list[BotCommand]:
    """Telegram's command menu in one language; staff also see their commands."""
    names = (*MENUS[lang], *(STAFF_COMMANDS if staff else ()))
    return [
        BotCommand(name, render(lang, f"bot.commands.{COMMAND_ALIASES.get(name, name)}"))
        for name in names
    ]


def descriptions(lang: Language, values: Mapping[str, str]) -> tuple[str, str]:
    """The bot's profile texts in one language: its description and its short description."""
    long = render(lang, "bot.description", **values)
    short = render(lang, "bot.short_description", **values)
    if len(long) > DESCRIPTION_LIMIT or len(short) > SHORT_DESCRIPTION_LIMIT:
        raise ValueError(f"the bot's {lang} description is longer than Telegram takes")
    return long, short


def stats_text(lang: Language, figures: Headline) -> str:
    """Staff headline figures, labelled in the staff member's language."""
    lines = [
        render(lang, "bot.stats.title"),
        f"{render(lang, 'bot.stats.this_week')}: {figures.this_week}",
        f"{render(lang, 'bot.stats.total')}: {figures.total}",
    ]
    if not figures.total:
        return "\n".join([*lines, render(lang, "bot.stats.none")])
    for section, column, counts in (
        ("suggestions", "suggestion", figures.suggestions),
        ("safety", "safety_level", figures.safety),
    ):
        lines += ["", staff_text(lang, f"section.{section}")]
        lines += [f"• {code_label(lang, column, code)}: {count}" for code, count in counts.items()]
    return "\n".join(lines)
