"""The Bot API as plain data: answers methods the way Telegram does, and records every call.

`FakeBotApi` answers Bot API methods as Telegram does (including its refusals: unparsable
HTML, over-long text, callback data or profile descriptions, "message is not modified", a
blocked bot) and records every call. It knows no transport: `tests.support.transport` puts it
in front of the real bot in process, `tests.support.http_api` over local HTTP.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

BOT_ID = 7000000001
TOKEN = f"{BOT_ID}:AAHtestTOKENnot-real_0123456789abcdefXYZ"
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Intake",
    "username": "intake_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
SECRET = "bot-test-secret-0123456789abcdef"

#: Telegram's limits on the bot's profile texts, in characters.
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120

#: Parameters python-telegram-bot sends as JSON (others are plain strings or numbers).
JSON_PARAMS = frozenset(
    {"reply_markup", "commands", "scope", "link_preview_options", "allowed_updates", "entities"}
)
INT_PARAMS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "user_id"})

#: A message's content for each kind a parent can send that is not text.
CONTENT: Mapping[str, Mapping[str, Any]] = {
    "sticker": {
        "sticker": {
            "file_id": "st1",
            "file_unique_id": "st1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    },
    "photo": {"photo": [{"file_id": "ph1", "file_unique_id": "ph1u", "width": 90, "height": 90}]},
    "voice": {"voice": {"file_id": "vo1", "file_unique_id": "vo1u", "duration": 3}},
    "video_note": {
        "video_note": {"file_id": "vn1", "file_unique_id": "vn1u", "length": 240, "duration": 2}
    },
    "video": {
        "video": {
            "file_id": "vi1",
            "file_unique_id": "vi1u",
            "width": 320,
            "height": 240,
            "duration": 4,
        }
    },
    "audio": {"audio": {"file_id": "au1", "file_unique_id": "au1u", "duration": 60}},
    "animation": {
        "animation": {
            "file_id": "an1",
            "file_unique_id": "an1u",
            "width": 320,
            "height": 240,
            "duration": 2,
        },
        "document": {"file_id": "an1", "file_unique_id": "an1u"},
    },
    "document": {"document": {"file_id": "do1", "file_unique_id": "do1u", "file_name": "x.pdf"}},
    "location": {"location": {"latitude": 59.329323, "longitude": 18.068581}},
    "venue": {
        "venue": {
            "location": {"latitude": 59.314211, "longitude": 18.073432},
            "title": "Sodermalm clinic",
            "address": "Gotgatan 71",
        },
        "location": {"latitude": 59.314211, "longitude": 18.073432},
    },
    "contact": {
        "contact": {"phone_number": "+46701234567", "first_name": "Signe", "user_id": 555000111}
    },
    "poll": {
        "poll": {
            "id": "4242",
            "question": "Sleep?",
            "options": [
                {"text": "yes", "voter_count": 0, "persistent_id": "y"},
                {"text": "no", "voter_count": 0, "persistent_id": "n"},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    },
    "dice": {"dice": {"emoji": "🎲", "value": 3}},
}
#: What a shared contact or location would leak if anything of it were kept.
SHARED_SECRETS = ("46701234567", "59.329323", "18.068581", "59.314211", "Gotgatan", "555000111")


class ApiError(Exception):
    """A refusal, as Telegram words it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class DroppedConnectionError(Exception):
    """The connection broke before an answer: each transport turns this into its own failure."""


class LateAnswerError(Exception):
    """The call was carried out, but its answer came after the client stopped waiting (a read
    timeout): each transport turns this into its own failure."""


#: What a Bot API behind a broken proxy answers: an HTML error page, or JSON cut short.
RAW_FAULTS: Mapping[str, tuple[int, bytes]] = {
    "html": (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"),
    "garbage": (200, b'{"ok": true, "result": {"id": 70'),
}


@dataclass(frozen=True, slots=True)
class Call:
    method: str
    params: Mapping[str, Any]


def decode(params: Mapping[str, str]) -> dict[str, Any]:
    """Parameters as python-telegram-bot sends them (JSON-encoded values) back to Python."""
    values: dict[str, Any] = {}
    for name, raw in params.items():
        if name in JSON_PARAMS:
            values[name] = json.loads(raw)
        elif name in INT_PARAMS and re.fullmatch(r"-?[0-9]+", raw):
            values[name] = int(raw)
        else:
            values[name] = raw
    return values


def parse_html(text: str) -> str:
    """The text Telegram would show for HTML we send: we send no tags, so any raw < > & fails."""
    if "<" in text or ">" in text:
        raise ApiError(400, "Bad Request: can't parse entities: unsupported start tag")
    if re.search(r"&(?!(?:lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);)", text):
        raise ApiError(400, "Bad Request: can't parse entities: unexpected end of name")
    return html.unescape(text)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class FakeBotApi:
    """The Bot API as plain data: chats, messages, pending updates, commands, every call."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    keep_calls: bool = True  # the bench keeps only the counts
    counts: Counter[str] = field(default_factory=Counter)
    #: Calls that name a chat, by chat and method (the bench tells typed updates' calls apart).
    chat_counts: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    #: What each chat was shown, in order: every message as sent, and again as edited into a
    #: new text (a tap's answer drawn into the tapped question); snapshots, later changes aside.
    shown: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    updates: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    #: The bot's profile texts: ("description" or "short_description", language code) -> text.
    descriptions: dict[tuple[str, str], str] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    faults: dict[str, list[int | str]] = field(default_factory=lambda: defaultdict(list))
    queries: dict[str, bool] = field(default_factory=dict)  # callback query id -> answered
    refusals: list[tuple[str, str]] = field(default_factory=list)  # (method, description)
    webhook: dict[str, Any] = field(default_factory=dict)
    on_change: Callable[[int | None], None] = lambda chat_id: None
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _query_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, Iterator[int]] = field(
        default_factory=lambda: defaultdict(lambda: itertools.count(1))
    )

    # ---- the bot's side

    def handle(self, method: str, params: Mapping[str, str]) -> tuple[int, dict[str, Any] | bytes]:
        """Answer one call as Telegram would: (HTTP status, JSON body, or raw bytes)."""
        method = self.canonical(method)
        values = decode(params)
        self.counts[method] += 1
        if isinstance(values.get("chat_id"), int):
            self.chat_counts[values["chat_id"]][method] += 1
        if self.keep_calls:
            self.calls.append(Call(method, values))
        try:
            fault = self._inject_fault(method)
            if fault in RAW_FAULTS:
                return RAW_FAULTS[str(fault)]
            answer = getattr(self, f"_{method}", None)
            if answer is None:
                raise ApiError(404, "Not Found: method not found")
            result = answer(values)
            if fault == "late":
                raise LateAnswerError(method)
        except ApiError as error:
            self.refusals.append((method, error.description))
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return error.code, body
        finally:
            self.on_change(values.get("chat_id"))
        return 200, {"ok": True, "result": result}

    @classmethod
    def canonical(cls, method: str) -> str:
        """A method as the Bot API documents it: its names are case-insensitive
        (``sendmessage`` is ``sendMessage``), and the bot uses that."""
        return _METHODS.get(method.lower(), method)

    def fail(self, method: str, *faults: int | str) -> None:
        """Make the next calls of ``method`` fail: 429 (flood), "network" (no answer, nothing
        done), "late" (done, but the answer comes too late), "html" or "garbage" (not the Bot
        API's JSON), or any status."""
        self.faults[method].extend(faults)

    def _inject_fault(self, method: str) -> int | str | None:
        if not self.faults.get(method):
            return None
        fault = self.faults[method].pop(0)
        if fault in ("late", *RAW_FAULTS):
            return fault
        if fault == "network":
            raise DroppedConnectionError(method)
        if fault == 429:
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        raise ApiError(int(fault), f"Error {fault}: injected by the test")

    def _getMe(self, _: Mapping[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _deleteWebhook(self, _: Mapping[str, Any]) -> bool:
        self.webhook.clear()
        return True

    def _setWebhook(self, values: Mapping[str, Any]) -> bool:
        self.webhook.update(values)
        return True

    def _getWebhookInfo(self, _: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    def _setMyCommands(self, values: Mapping[str, Any]) -> bool:
        for command in values["commands"]:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command["command"]):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command["description"]) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = json.dumps(values.get("scope", {"type": "default"}), sort_keys=True)
        self.commands[(scope, values.get("language_code", ""))] = list(values["commands"])
        return True

    def _deleteMyCommands(self, values: Mapping[str, Any]) -> bool:
        scope = json.dumps(values.get("scope", {"type": "default"}), sort_keys=True)
        self.commands.pop((scope, values.get("language_code", "")), None)
        return True

    def _setMyDescription(self, values: Mapping[str, Any]) -> bool:
        return self._set_description("description", values, DESCRIPTION_LIMIT)

    def _setMyShortDescription(self, values: Mapping[str, Any]) -> bool:
        return self._set_description("short_description", values, SHORT_DESCRIPTION_LIMIT)

    def _getMyDescription(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {"description": self._description("description", values)}

    def _getMyShortDescription(self, values: Mapping[str, Any]) -> dict[str, str]:
        return {"short_description": self._description("short_description", values)}

    def _set_description(self, kind: str, values: Mapping[str, Any], limit: int) -> bool:
        """An empty text removes the language's own one (the default shows instead)."""
        lang = self._language_code(values)
        text = values.get(kind, "")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {kind.replace('_', ' ')} is too long")
        if text:
            self.descriptions[(kind, lang)] = text
        else:
            self.descriptions.pop((kind, lang), None)
        return True

    def _description(self, kind: str, values: Mapping[str, Any]) -> str:
        """The language's own text, else the default one, as a client in it would see."""
        lang = self._language_code(values)
        return self.descriptions.get((kind, lang), self.descriptions.get((kind, ""), ""))

    @staticmethod
    def _language_code(values: Mapping[str, Any]) -> str:
        lang = values.get("language_code", "")
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return str(lang)

    def _sendChatAction(self, values: Mapping[str, Any]) -> bool:
        self._chat(values["chat_id"])
        return True

    def _sendMessage(self, values: Mapping[str, Any]) -> dict[str, Any]:
        chat = self._chat(values["chat_id"])
        message = {
            "message_id": next(self._message_ids[chat["id"]]),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": self._text(values),
        }
        markup = self._markup(values)
        if markup:
            message["reply_markup"] = markup
        self.messages[chat["id"]].append(message)
        self.shown[chat["id"]].append(json.loads(json.dumps(message)))
        return message

    def _editMessageText(self, values: Mapping[str, Any]) -> dict[str, Any]:
        message = self._bot_message(values)
        text, markup = self._text(values), self._markup(values)
        if text == message["text"] and markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        changed = text != message["text"]
        message["text"] = text
        self._set_markup(message, markup)
        if changed:
            self.shown[message["chat"]["id"]].append(json.loads(json.dumps(message)))
        return message

    def _editMessageReplyMarkup(self, values: Mapping[str, Any]) -> dict[str, Any]:
        message = self._bot_message(values)
        markup = self._markup(values)
        if markup == message.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        self._set_markup(message, markup)
        return message

    def _answerCallbackQuery(self, values: Mapping[str, Any]) -> bool:
        query = values["callback_query_id"]
        if self.queries.get(query) is not False:
            raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
        self.queries[query] = True
        return True

    def _getUpdates(self, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        self.confirm(values.get("offset", 0))
        return self.updates[: values.get("limit", 100)]

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset``: asking from there confirms everything earlier."""
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def _close(self, _: Mapping[str, Any]) -> bool:
        return True

    # ---- checks Telegram makes

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return self.chats[chat_id]

    def _bot_message(self, values: Mapping[str, Any]) -> dict[str, Any]:
        chat = self._chat(values["chat_id"])
        for message in self.messages[chat["id"]]:
            if message["message_id"] == values["message_id"]:
                if message["from"]["id"] != BOT_ID:
                    raise ApiError(400, "Bad Request: message can't be edited")
                message["edit_date"] = int(time.time())
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    @staticmethod
    def _text(values: Mapping[str, Any]) -> str:
        raw = values.get("text", "")
        text = parse_html(raw) if values.get("parse_mode") == "HTML" else raw
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _markup(values: Mapping[str, Any]) -> dict[str, Any] | None:
        markup = values.get("reply_markup")
        if not markup:
            return None
        for row in markup["inline_keyboard"]:
            for button in row:
                if not button["text"].strip():
                    raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return dict(markup)

    @staticmethod
    def _set_markup(message: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)

    # ---- the parents' side

    def push(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (and hand it back for direct delivery)."""
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        self.on_change(None)
        return update

    def user_message(self, chat: dict[str, Any], sender: dict[str, Any] | None, **content: Any):
        """A message from a person into a chat, stored like Telegram stores it."""
        self.chats[chat["id"]] = chat
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat["id"]]),
            "date": int(time.time()),
            "chat": chat,
            **content,
        }
        if sender is not None:
            message["from"] = sender
        self.messages[chat["id"]].append(message)
        return message

    def callback_query(self, user: dict[str, Any], message: dict[str, Any], data: str):
        query_id = str(next(self._query_ids))
        self.queries[query_id] = False
        return {
            "id": query_id,
            "from": user,
            "chat_instance": f"ci{message['chat']['id']}",
            "message": message,
            "data": data,
        }

    # ---- reading what happened

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for m in self.messages[chat_id] if m.get("from", {}).get("id") == BOT_ID]

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def forget(self, chat_id: int) -> None:
        """Drop a finished chat's messages (the bench plays thousands)."""
        for store in (self.chats, self.messages, self.shown, self.chat_counts, self._message_ids):
            store.pop(chat_id, None)


#: The methods the fake answers, by their lower-case names.
_METHODS = {
    name[1:].lower(): name[1:]
    for name in vars(FakeBotApi)
    if name.startswith("_") and "_" not in name[1:] and callable(getattr(FakeBotApi, name))
}
