"""The concepts one word carries, looked up in both lexicons at once.

A word is compared by its Snowball stems (English and Swedish), its exact form and its
prefixes; a long word found nowhere is compared with the words one letter off it ("suicde",
"vioces"); chat English that drops a letter of -ing is read as the -ing form ("killin",
"hurtng"); a subject typed together with the next word is read as both ("idont", "jagvill").
Each distinct word costs a bounded number of look-ups, once (cached).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

from flows.lexicon import (
    LANGUAGES,
    MIN_REPLACED,
    MIN_TYPO,
    Entry,
    Lexicon,
    Word,
    deletions,
    lexicon,
    stemmer,
)
from flows.splitting import REPEATED, unaccented


@functools.lru_cache(maxsize=8192)
def tagged_word(text: str) -> tuple[Word, frozenset[str], Mapping[str, str]]:
    """A lowered word of a message as the lexicons see it, the concepts it carries, and those
    that need its language to dominate the message (concept -> language)."""
    folded = REPEATED.sub(r"\1", text)
    plain = unaccented(folded)
    stems = (stemmer("en").stemWord(_chat_english(plain)), stemmer("sv").stemWord(plain))
    word = Word(plain, stems, plain != folded)
    lex = lexicon()
    concepts, guarded = _looked_up(lex, word)
    if not concepts and not guarded:
        concepts = _glued(lex, plain)
    return word, concepts, guarded


def _looked_up(lexicon: Lexicon, word: Word) -> tuple[frozenset[str], Mapping[str, str]]:
    """The concepts a single word carries, and those that need its language to dominate."""
    found: list[Entry] = []
    for language, stem in zip(LANGUAGES, word.stems, strict=True):
        found += lexicon.singles.get((language, "stem", stem), ())
        found += lexicon.singles.get((language, "exact", word.folded), ())
    for n in range(1, len(word.folded) + 1):
        found += lexicon.prefixes.get(word.folded[:n], ())
    if not found:
        for key in {k for k in (word.folded, *word.stems) if len(k) >= MIN_TYPO}:
            for variant in (key, *deletions(key)):
                for target, entry in lexicon.typos.get(variant, ()):
                    if _one_edit(key, target):
                        found.append(entry)
    concepts: set[str] = set()
    guarded: dict[str, str] = {}
    for entry in found:
        element = entry.elements[0]
        if element.guarded and not word.accented:
            guarded.setdefault(entry.concept, element.language)
        else:
            concepts.add(entry.concept)
    for concept in concepts:
        guarded.pop(concept, None)
    return frozenset(concepts), guarded


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return len(a) >= MIN_REPLACED
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


_DROPPED_I: Final = re.compile(r"[^aeiouyn]ng$")


def _chat_english(word: str) -> str:
    """The -ing form chat English leaves out a letter of: "killin", "thinkng", "hurtng"."""
    if len(word) > 4 and word.endswith("in") and not word.endswith(("ain", "ein")):
        return word + "g"
    if len(word) > 5 and _DROPPED_I.search(word):
        return word[:-2] + "ing"
    return word


def _glued(lex: Lexicon, word: str) -> frozenset[str]:
    """A subject typed together with the next word ("idont", "iwanna", "jagvill"): both."""
    for subject in lex.glued:
        rest = word[len(subject) :]
        if word.startswith(subject) and len(rest) >= 3:
            found = tagged_word(rest)[1]
            if found - {"filler"}:
                _, concepts, guarded = tagged_word(subject)
                return found | (concepts | frozenset(guarded)) - {"filler"}
    return frozenset()
