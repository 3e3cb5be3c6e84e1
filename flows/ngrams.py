"""Hashed n-gram counts of a text: what the second reader of crisis detection sees.

The second reader (``flows.crisis_model``) is a linear model over these counts. Each sentence
(split as ``flows.splitting`` splits it, each word folded: lower case, no accents, letters typed
three times or more read once) gives

- its words (``w`` + word), so "pills" and "bron" count as themselves;
- its pairs of neighbouring words (``b`` + word + space + word), so "take my" and "vill dö"
  count as pairs;
- the character 3-, 4- and 5-grams of each word padded with a space at both ends (``c`` +
  gram), so "suicde", "killin" and "självmordstankar" share most of their pieces with the
  words they are near.

Each feature is hashed with CRC-32 into one of ``BUCKETS`` buckets (the letter before it keeps
a word, a pair and a gram apart), so the model needs no vocabulary. The same code counts the
training rows (scripts/train_crisis_model.py) and every message at run time.

Linear in the length of the text: a word costs a number of grams proportional to its length
(its buckets are cached, since parents repeat their words), a pair one hash.
"""

from __future__ import annotations

import functools
import zlib
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Final

from flows.splitting import sentences

#: Bumped whenever the features of a text change: a model trained on other features is stale.
FEATURISER_VERSION: Final = 1
BUCKETS: Final = 2**20
#: The lengths of the character grams, within a word padded with spaces.
GRAM_LENGTHS: Final = (3, 4, 5)


def bucket(feature: str) -> int:
    """The bucket a feature (a typed string such as ``"wdie"``) is counted in."""
    return zlib.crc32(feature.encode("utf-8")) & (BUCKETS - 1)


def _word_features(word: str) -> Iterator[str]:
    yield "w" + word
    padded = f" {word} "
    for n in GRAM_LENGTHS:
        for i in range(len(padded) - n + 1):
            yield "c" + padded[i : i + n]


def _pair(first: str, second: str) -> str:
    return f"b{first} {second}"


def features(words: Sequence[str]) -> Iterator[tuple[str, str]]:
    """The features of one sentence's words by name, each with the word or the pair of words
    it comes from (for explanations and tests)."""
    for i, word in enumerate(words):
        for feature in _word_features(word):
            yield word, feature
        if i:
            yield f"{words[i - 1]} {word}", _pair(words[i - 1], word)


@functools.lru_cache(maxsize=8192)
def _word_buckets(word: str) -> array[int]:
    # An array, not a tuple of ints: a word's 30-odd buckets in about 200 bytes, not 1,200.
    return array("I", [bucket(f) for f in _word_features(word)])


def counts(words: Sequence[str]) -> Counter[int]:
    """How often each bucket occurs in one sentence's words."""
    found: Counter[int] = Counter()
    for i, word in enumerate(words):
        found.update(_word_buckets(word))
        if i:
            found[bucket(_pair(words[i - 1], word))] += 1
    return found


def sentence_counts(text: str) -> list[tuple[int, Counter[int]]]:
    """Each sentence's number of words and bucket counts (no sentence, nothing)."""
    return [(len(words), counts(words)) for words in sentences(text)]
