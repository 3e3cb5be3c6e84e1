"""A parent in a private chat, talking to the bot through the fake Bot API.

`Parent` plays a person: `send(text)`, `tap(label)`, `share(kind)`, `edit(text)`, reading what
came back. How an update reaches the bot is the transport's `Deliver`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_api import CONTENT, FakeBotApi
from tests.support.transport import Deliver


def keyboards(count: int = 1) -> Callable[[list[dict[str, Any]]], bool]:
    """Answered when ``count`` new messages with a keyboard have come."""
    return lambda new: sum(1 for m in new if m.get("reply_markup")) >= count


def messages(count: int = 1) -> Callable[[list[dict[str, Any]]], bool]:
    """Answered when ``count`` new messages have come."""
    return lambda new: len(new) >= count


_user_ids = itertools.count(910000001)
#: Whose message a parent forwards or quotes: nothing of it may be stored or logged.
FRIEND = "Birgitta Forsberg"


@dataclass
class Parent:
    """A parent in a private chat with the bot (or a member of a group, with ``chat_type``)."""

    api: FakeBotApi
    deliver: Deliver
    first_name: str = "Kristina"
    last_name: str | None = "Lindqvist"
    username: str | None = "kristina_l"
    language_code: str | None = "en"
    user_id: int = field(default_factory=lambda: next(_user_ids))
    chat_type: str = "private"
    chat_id: int = 0

    def __post_init__(self) -> None:
        if not self.chat_id:
            self.chat_id = self.user_id if self.chat_type == "private" else -self.user_id

    @property
    def user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name):
                user[name] = getattr(self, name)
        return user

    @property
    def sender(self) -> dict[str, Any] | None:
        """Who a message is from: nobody, in a channel (the channel itself posts)."""
        return None if self.chat_type == "channel" else self.user

    @property
    def message_kind(self) -> str:
        return "channel_post" if self.chat_type == "channel" else "message"

    @property
    def chat(self) -> dict[str, Any]:
        if self.chat_type != "private":
            return {"id": self.chat_id, "type": self.chat_type, "title": "Parents group"}
        chat = {"id": self.chat_id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    @property
    def identifiers(self) -> list[str]:
        """Everything about this person that must never reach the database or a log."""
        found = [str(self.user_id), self.first_name, self.last_name, self.username]
        return [value for value in found if value]

    # ---- acting

    async def send(self, text: str, until: Callable[..., bool] | None = None) -> list[dict]:
        """Type a message (or a command); returns the bot's messages that answered it."""
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        message = self.api.user_message(self.chat, self.sender, **content)
        return await self._deliver(self.message_kind, message, until)

    async def share(
        self, kind: str, until: Callable[..., bool] | None = None, *, caption: str | None = None
    ) -> list[dict]:
        """Send something that is not text: a sticker, photo, contact, location..."""
        content = {**CONTENT[kind], **({"caption": caption} if caption else {})}
        message = self.api.user_message(self.chat, self.sender, **content)
        return await self._deliver(self.message_kind, message, until)

    async def forward(self, text: str, until: Callable[..., bool] | None = None) -> list[dict]:
        """Forward someone else's message (a friend's, from another chat) to the bot."""
        origin = {"type": "hidden_user", "sender_user_name": FRIEND, "date": 1700000000}
        message = self.api.user_message(self.chat, self.sender, text=text, forward_origin=origin)
        return await self._deliver(self.message_kind, message, until)

    async def quote_elsewhere(
        self, text: str, quoted: str, until: Callable[..., bool] | None = None
    ) -> list[dict]:
        """Reply to (and quote) a message from another chat, with words of one's own."""
        origin = {"type": "hidden_user", "sender_user_name": FRIEND, "date": 1700000000}
        elsewhere = {"origin": origin, "chat": {"id": -100123, "type": "supergroup", "title": "G"}}
        message = self.api.user_message(
            self.chat,
            self.sender,
            text=text,
            external_reply=elsewhere,
            quote={"text": quoted, "position": 0},
        )
        return await self._deliver(self.message_kind, message, until)

    async def edit(self, text: str, until: Callable[..., bool] | None = None) -> list[dict]:
        """Edit the last message this parent sent."""
        sent = [m for m in self.api.messages[self.chat_id] if m.get("from") == self.user]
        message = {**sent[-1], "text": text, "edit_date": int(time.time())}
        return await self._deliver("edited_message", message, until)

    async def tap(
        self,
        label: str,
        *,
        on: dict[str, Any] | None = None,
        until: Callable[..., bool] | None = None,
    ) -> list[dict]:
        """Tap the button with this label on the newest keyboard (or on message ``on``)."""
        message = on if on is not None else self.keyboard_message()
        query = self.api.callback_query(self.user, message, self.button(label, message))
        return await self._deliver("callback_query", query, until)

    async def play(self, script: Sequence[tuple[str, Any, Any]]) -> None:
        """Send or tap each line's input (``tap:<code>`` taps), waiting for each answer."""
        for what, _, _ in script:
            if what.startswith("tap:"):
                await self.tap_code(what.removeprefix("tap:"))
            else:
                await self.send(what)

    async def tap_code(self, code: str, until: Callable[..., bool] | None = None) -> list[dict]:
        """Tap the button whose answer code is ``code`` on the newest keyboard (for scripts)."""
        message = self.keyboard_message()
        for row in message["reply_markup"]["inline_keyboard"]:
            for button in row:
                if button["callback_data"].rpartition("|")[2] == code:
                    return await self.tap(button["text"], on=message, until=until)
        raise AssertionError(f"no button with code {code!r}")

    async def _deliver(
        self, kind: str, payload: dict[str, Any], until: Callable[..., bool] | None
    ) -> list[dict]:
        """Hand the update over; the bot's messages that answered it, as they are now: new
        ones, and those drawn into a new text (a tap's next question in the tapped message)."""
        before = {m["message_id"]: m["text"] for m in self.api.bot_messages(self.chat_id)}
        await self.deliver(self.api.push(kind, payload), self.chat_id, until or keyboards(1))
        now = self.api.bot_messages(self.chat_id)
        return [m for m in now if before.get(m["message_id"]) != m["text"]]

    # ---- reading

    def keyboard_message(self) -> dict[str, Any]:
        """A snapshot of the newest bot message that still has a keyboard."""
        for message in reversed(self.api.bot_messages(self.chat_id)):
            if message.get("reply_markup"):
                return json.loads(json.dumps(message))
        raise AssertionError("no keyboard on screen")

    @staticmethod
    def button(label: str, message: dict[str, Any]) -> str:
        """The callback data of the button with this label (a ✓ before it is ignored)."""
        labels = []
        for row in message.get("reply_markup", {}).get("inline_keyboard", []):
            for button in row:
                labels.append(button["text"])
                if button["text"].removeprefix("✓ ") == label:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} among {labels}")

    def labels(self) -> list[str]:
        message = self.keyboard_message()
        return [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.api.bot_messages(self.chat_id)]

    @property
    def last_text(self) -> str:
        return self.texts[-1]
