"""Reading what a parent sent: text made safe to look at, and commands in either language.

Data and pure functions only: the Telegram adapter and the staff tools import the command
names from here without loading the state machine.
"""

from __future__ import annotations

import re
import unicodedata

from flows.matching import normalise
from flows.model import Command

#: Longest text looked at for matching and crisis detection (a pasted novel is not an answer).
TEXT_LIMIT = 4000

#: Commands and their Swedish (and shorthand) names; `/start` takes an optional clinic code.
COMMAND_ALIASES: dict[str, str] = {
    "start": "start",
    "help": "help",
    "hjalp": "help",
    "back": "back",
    "tillbaka": "back",
    "restart": "restart",
    "borjaom": "restart",
    "borja_om": "restart",
    "language": "language",
    "sprak": "language",
    "lang": "language",
    "privacy": "privacy",
    "integritet": "privacy",
    "pause": "pause",
    "paus": "pause",
    "stop": "stop",
    "avbryt": "stop",
    "sluta": "stop",
    "delete": "delete",
    "radera": "delete",
}
COMMANDS = frozenset(COMMAND_ALIASES.values())

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """NFC, without control and bidi characters, trimmed to a sane length."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", text[: TEXT_LIMIT * 2]))[
        :TEXT_LIMIT
    ].strip()


def parse_command(text: str) -> Command | None:
    """`/name` or `/name@bot arg` as a Command, in either language; None for other text."""
    if not text.startswith("/"):
        return None
    head, _, arg = text[1:].partition(" ")
    name = normalise(head.partition("@")[0]).replace(" ", "")
    return Command(COMMAND_ALIASES.get(name, "unknown"), arg.strip())
