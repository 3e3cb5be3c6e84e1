"""Understanding a typed answer: the option's number, its words, or yes/no in either language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flows.model import Option
from flows.safety import fold

YES_WORDS = frozenset(
    {"yes", "y", "yeah", "yep", "yup", "sure", "ja", "j", "japp", "jo", "absolut"}
)
NO_WORDS = frozenset({"no", "n", "nope", "nah", "nej", "na", "nix", "inte"})
#: Words too common to tell options apart by.
COMMON_WORDS = frozenset(
    {"inte", "what", "that", "this", "with", "have", "just", "some", "och", "eller"}
)
_NOT_WORD = re.compile(r"[^\w ]+")


def normalise(text: str) -> str:
    """Folded text with punctuation and emoji dropped, for comparing answers."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def match_option(
    text: str, options: Sequence[Option], yes_code: str = "yes", no_code: str = "no"
) -> str | None:
    """The code of the one option the text clearly means, or None when unclear."""
    typed = normalise(text)
    if not typed:
        return None
    codes = [option.code for option in options]
    if typed.isdigit():
        index = int(typed) - 1
        return codes[index] if 0 <= index < len(codes) else None
    labels = [normalise(option.label) for option in options]
    for code, label in zip(codes, labels, strict=True):
        if typed in (label, normalise(code)):
            return code
    if typed in YES_WORDS and yes_code in codes:
        return yes_code
    if typed in NO_WORDS and no_code in codes:
        return no_code
    # The typed words inside exactly one label ("sometimes"), or one label inside the text.
    word = re.compile(rf"\b{re.escape(typed)}\b")
    within = [
        code
        for code, label in zip(codes, labels, strict=True)
        if len(typed) >= 3 and word.search(label)
    ]
    if len(within) == 1:
        return within[0]
    around = [
        code
        for code, label in zip(codes, labels, strict=True)
        if label and re.search(rf"\b{re.escape(label)}\b", typed)
    ]
    if len(around) == 1:
        return around[0]
    return _by_shared_words(typed, codes, labels)


def _by_shared_words(typed: str, codes: Sequence[str], labels: Sequence[str]) -> str | None:
    """The one label sharing the most longer words with the text ("mostly ok": "Mostly all")."""
    words = {word for word in typed.split() if len(word) >= 4} - COMMON_WORDS
    scores = [len(words & set(label.split())) for label in labels]
    best = max(scores, default=0)
    if best == 0 or scores.count(best) > 1:
        return None
    return codes[scores.index(best)]
