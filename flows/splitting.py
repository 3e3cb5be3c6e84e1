"""A message split into sentences, clauses and words, and folded into the form it is compared in.

The crisis detector's two readers split a text alike: the rules (``flows.tagging``) and the
second reader (``flows.ngrams``, through `sentences`). One regular expression without
backtracking does it, so the work is linear in the length of the text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from typing import Final

_APOSTROPHES: Final = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
#: A letter typed three times or more ("dieeee"): read once.
REPEATED: Final = re.compile(r"(\w)\1{2,}")
# A word (letters and digits, with inner apostrophes or colons as in "don't", "tv:n", or one
# emoji such as 💊), a sentence end, or a clause break. Each alternative consumes at least one
# character and nothing is retried, so the scan is linear.
_TOKENS: Final = re.compile(
    r"([^\W_]+(?:['][^\W_]+|:[^\W\d_]+)*|[\u2600-\u27bf\U0001f000-\U0001faff])"
    r"|([.!?\n]+)|([,;:]|\s-\s)"
)
#: Words that start a clause of their own, as a comma does.
CLAUSE_WORDS: Final = frozenset({"but", "men", "although", "fast", "though"})


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces: the form patterns expect."""
    return " ".join(unaccented(text.casefold()).translate(_APOSTROPHES).split())


def unaccented(text: str) -> str:
    """The text without its accents: "självmord" is "sjalvmord"."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


@functools.lru_cache(maxsize=8192)
def plain_word(word: str) -> str:
    """A word of a lowered text as it is compared: letters typed three times or more read once
    ("dieeee"), accents dropped ("sjalvmord")."""
    return unaccented(REPEATED.sub(r"\1", word))


def scan(text: str) -> Iterator[re.Match[str]]:
    """Words, sentence ends and clause breaks of the lowered text, in order: each match's groups
    are (word, sentence end, clause break), one of them set."""
    lowered = unicodedata.normalize("NFC", text.casefold()).translate(_APOSTROPHES)
    return _TOKENS.finditer(lowered)


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence, each word as `plain_word` gives it; empty sentences left
    out. The same split as ``flows.tagging.tokens``, without the lexicons."""
    out: list[list[str]] = [[]]
    for match in scan(text):
        word, end, _ = match.groups()
        if word:
            out[-1].append(plain_word(word))
        elif end and out[-1]:
            out.append([])
    return [words for words in out if words]
