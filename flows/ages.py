"""Reading a typed age into its band: "8 månader", "1,5 år", "two years old", "14 mån".

Only a text made of nothing but an age is read: numbers (in digits or words, with halves),
units (days, weeks, months, years, in English and Swedish, written out or short), and the
few words parents put around an age ("she is", "hon är", "about", "gammal"). Anything else
in the text ("8 months and she cries all night") and it is not read as an age: a sentence is
never taken as an answer. A number without a unit is not an age either: "8" alone is the
number of an option.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from flows.questions import AGE_BAND_STARTS
from flows.splitting import fold

#: Number words, folded (no accents): "två" is "tva", "åtta" is "atta".
NUMBER_WORDS: dict[str, float] = {
    **dict.fromkeys(("a", "an", "one", "en", "ett"), 1.0),
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "tva": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "atta": 8, "nio": 9,
    "tio": 10, "elva": 11, "tolv": 12, "femton": 15, "arton": 18,
}
#: Articles that only introduce a half: "one and a half", "ett och ett halvt".
ARTICLES = frozenset({"a", "an", "en", "ett"})
HALVES = frozenset({"half", "halv", "halvt", "halva"})
#: Each unit's length in months.
UNITS: dict[str, float] = {
    **dict.fromkeys(("day", "days", "d", "dag", "dagar", "dygn"), 1 / 30.4),
    **dict.fromkeys(("week", "weeks", "wk", "wks", "w", "vecka", "veckor", "v"), 7 / 30.4),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths", "m", "mon"), 1.0),
    **dict.fromkeys(("manad", "manader", "manaders", "man", "mnd", "mndr", "manaden"), 1.0),
    **dict.fromkeys(("year", "years", "yr", "yrs", "y", "yo", "ar", "ars", "aring", "arig"), 12.0),
    **dict.fromkeys(("halvar", "halvaret"), 6.0),
}
#: Words that say the age is a little less than the number ("almost 6 months", "snart 1 år").
BELOW = frozenset({"almost", "nearly", "under", "nastan", "knappt", "snart", "soon", "turning"})
#: Words parents put around an age that say nothing about it.
AROUND = frozenset(
    {
        # English
        *("my", "baby", "babys", "son", "daughter", "child", "he", "she", "they", "hes", "shes"),
        *("is", "s", "it", "its", "just", "about", "around", "roughly", "approx", "and", "old"),
        *("now", "over", "of", "age", "aged", "the", "little", "we", "re", "are"),
        # Swedish ("ar" is "år" as well as "är": it counts as a unit only after a number)
        *("min", "mitt", "var", "vart", "bebisen", "barnet", "sonen", "dottern", "han", "hon"),
        *("hen", "den", "det", "ar", "bara", "cirka", "ca", "ungefar", "typ", "runt", "och"),
        *("gammal", "gammalt", "gamla", "nu", "drygt", "over", "fyllt", "fyller", "lite"),
    }
)
#: Newborns, in a word.
NEWBORN = frozenset({"newborn", "nyfodd", "nyfott", "nyfodda", "nyfodde"})
#: The oldest age read, in months: beyond it a typed number is more likely a slip.
OLDEST = 18 * 12

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+")


def age_in_months(text: str) -> float | None:
    """The age a text says, in months, or None when the text is not just an age."""
    tokens = _TOKEN.findall(fold(text))
    if any(word in NEWBORN for word in tokens):
        rest = [word for word in tokens if word not in NEWBORN]
        return 0.0 if all(word in AROUND for word in rest) else None
    return _read(_split_compounds(tokens))


def _split_compounds(tokens: Sequence[str]) -> list[str]:
    """"tvååring" (folded "tvaaring") reads as "två åring"."""
    words: list[str] = []
    for token in tokens:
        for suffix in ("aringen", "aring", "arig"):
            head = token.removesuffix(suffix)
            if head != token and head in NUMBER_WORDS:
                words += [head, suffix]
                break
        else:
            words.append(token)
    return words


def _read(words: Sequence[str]) -> float | None:
    months = 0.0
    pending: float | None = None  # a number waiting for its unit
    last_unit: float | None = None
    below = False
    seen_unit = False
    for index, word in enumerate(words):
        following = words[index + 1] if index + 1 < len(words) else ""
        previous = words[index - 1] if index else ""
        if word[0].isdigit():
            if pending is not None:
                return None  # two numbers in a row: "6 12 months" is a range, not an age
            pending = float(word.replace(",", "."))
        elif word in ARTICLES and (following in HALVES or previous in HALVES):
            continue  # "a half", "half a year": the article belongs to the half
        elif word in HALVES:
            pending = (pending or 0.0) + 0.5
        elif word in UNITS and (pending is not None or word in ("halvar", "halvaret")):
            months += (1.0 if pending is None else pending) * UNITS[word]
            last_unit, pending, seen_unit = UNITS[word], None, True
        elif word in ("a", "an") and following not in UNITS:
            continue  # "a" as in "a little over": a number only before a unit ("a year")
        elif word in NUMBER_WORDS:
            if pending is not None:
                return None
            pending = NUMBER_WORDS[word]
        elif word in BELOW:
            below = True
        elif word not in AROUND:
            return None
    if pending is not None:
        if pending != 0.5 or last_unit is None:
            return None  # a number left without its unit, but for "a year and a half"
        months += pending * last_unit
    if not seen_unit or months > OLDEST:
        return None
    return max(months - 0.5, 0.0) if below else months


def age_band_of(text: str) -> str | None:
    """The age band a typed age falls in, or None when the text is not just an age."""
    months = age_in_months(text)
    if months is None:
        return None
    return next(band for band, start in reversed(AGE_BAND_STARTS) if months >= start)
