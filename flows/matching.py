"""Understanding a typed answer: only when the text clearly is one.

A typed text is an answer when it is an option's number, an option's words, yes or no in
either language, or a short phrase (a few words) that matches exactly one option. A longer
sentence is never taken as an answer, however many option words it holds ("sometimes I feel
like ..." is not "Sometimes"), and navigation ("⬅️ Back") is never read from words inside a
sentence ("I hurt my back ..."): it takes the button's label, its number or a phrase that
means only that.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flows.model import Option
from flows.safety import fold

#: More words than this make a sentence: never consumed as an answer unless it is a label.
PHRASE_WORDS = 4

YES_WORDS = frozenset(
    {"yes", "y", "yeah", "yep", "yup", "sure", "ja", "j", "japp", "jo", "absolut", "jadå"}
)
NO_WORDS = frozenset({"no", "n", "nope", "nah", "nej", "nix", "nä", "nää", "nädå"})
#: Words that say "not": they must be matched by the option too ("not often" is not "Often");
#: alone they are a no.
NEGATIONS = frozenset({"not", "inte", "ej"})
#: Words that carry no choice: dropped before matching ("typ ibland", "I'm the mother").
FILLER_WORDS = frozenset(
    {
        # English
        *("i", "im", "m", "me", "my", "the", "a", "an", "it", "its", "s", "is", "am", "are"),
        *("that", "this", "think", "guess", "say", "would", "d", "ll", "just", "really"),
        *("quite", "pretty", "very", "so", "well", "um", "uh", "hmm", "hm", "er", "oh", "to"),
        *("please", "thanks", "thank", "you", "like", "kind", "sort", "of", "or", "and"),
        *("number", "option", "nr"),
        # Swedish
        *("jag", "ar", "det", "den", "en", "ett", "typ", "nog", "val", "ju", "tror", "sa"),
        *("liksom", "ganska", "ratt", "lite", "mycket", "valdigt", "tack", "alltsa", "och"),
        *("eller", "att", "nummer", "alternativ", "svar"),
    }
)
#: Words that may go unmatched beside a word that does match ("mostly ok", "kanske ja").
SOFT_WORDS = frozenset({"ok", "okay", "okej", "fine", "alright", "maybe", "kanske", "probably"})
#: Whole texts that mean one option however its label is worded, in either language.
PHRASES: dict[str, tuple[str, ...]] = {
    "@back": ("back", "go back", "previous question", "tillbaka", "gå tillbaka", "förra frågan"),
    "not_sure": (
        *("not sure", "don't know", "i don't know", "dont know", "i dont know", "dunno"),
        *("no idea", "unsure", "vet inte", "jag vet inte", "vet ej", "ingen aning", "osäker"),
    ),
    "rarely": ("never", "seldom", "hardly ever", "aldrig", "sällan", "nästan aldrig"),
    # The note at the end: nothing to add is "skip", however it is said.
    "skip": (
        *("skip", "skip it", "skip this", "skip please", "no", "no thanks", "no thank you"),
        *("nope", "nothing", "nothing else", "nothing more", "none", "n/a", "no nothing"),
        *("hoppa över", "hoppa", "hoppa över det", "nej", "nej tack", "nä", "nej det är bra"),
        *("inget", "inget mer", "ingenting", "ingenting mer", "nej inget", "det är bra så"),
    ),
}
_NOT_WORD = re.compile(r"[^\w ]+")
_A_WORD = re.compile(r"[^\W_]")
#: A code starting with this is navigation (back): matched whole, never from words.
NAVIGATION_PREFIX = "@"


def normalise(text: str) -> str:
    """Folded text with punctuation and emoji dropped, for comparing answers."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


_PHRASES = {code: frozenset(normalise(p) for p in phrases) for code, phrases in PHRASES.items()}
_YES = frozenset(normalise(word) for word in YES_WORDS)
_NO = frozenset(normalise(word) for word in NO_WORDS)


def word_count(text: str) -> int:
    """How many words a typed text has, as the parent wrote them ("I'm" is one)."""
    return sum(1 for word in fold(text).split() if _A_WORD.search(word))


def is_sentence(text: str) -> bool:
    """Longer than a short phrase: something said, not an answer picked."""
    return word_count(text) > PHRASE_WORDS


def says_yes(text: str) -> bool:
    """The text is a plain yes, in either language ("yes", "ja", "yes please")."""
    words = [word for word in normalise(text).split() if word not in FILLER_WORDS]
    return bool(words) and all(word in _YES for word in words)


def match_option(
    text: str, options: Sequence[Option], yes_code: str = "yes", no_code: str = "no"
) -> str | None:
    """The code of the one option the text clearly means, or None when it is not an answer."""
    typed = normalise(text)
    if not typed:
        return None
    codes = [option.code for option in options]
    if typed.isdigit():
        return _numbered(typed, codes)
    for option in options:
        if typed in (normalise(option.label), normalise(option.code)):
            return option.code
    for code in codes:
        if typed in _PHRASES.get(code, ()):
            return code
    if word_count(text) > PHRASE_WORDS:
        return None
    words = [word for word in typed.split() if word not in FILLER_WORDS]
    content = [word for word in words if word not in _YES | _NO]
    if len(content) == 1 and content[0].isdigit():
        return _numbered(content[0], codes)
    if all(word in NEGATIONS for word in content):  # nothing but yes, no or "not"
        said_no = bool(content) or any(word in _NO for word in words)
        said_yes = any(word in _YES for word in words)
        if said_yes != said_no:
            wanted = yes_code if said_yes else no_code
            return wanted if wanted in codes else None
        return None
    found = [
        option.code
        for option in options
        if not option.code.startswith(NAVIGATION_PREFIX) and _explains(content, option.label)
    ]
    return found[0] if len(found) == 1 else None


def _numbered(typed: str, codes: Sequence[str]) -> str | None:
    index = int(typed) - 1
    return codes[index] if 0 <= index < len(codes) else None


def _explains(content: Sequence[str], label: str) -> bool:
    """Every typed word is in the label (or merely soft), and one that says something is."""
    label_words = [word for word in normalise(label).split() if word not in FILLER_WORDS]
    matched = [word for word in content if any(_same(word, other) for other in label_words)]
    if not any(word not in NEGATIONS for word in matched):
        return False
    return all(word in matched or word in SOFT_WORDS for word in content)


def _same(typed: str, label_word: str) -> bool:
    """The same word, or the same stem ("sleeping" / "sleep", "sömnen" / "sömn")."""
    if typed == label_word:
        return True
    short, long = sorted((typed, label_word), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3
