"""A message's words in place, with the concepts each carries there.

Each word is tagged by ``flows.word_concepts`` and figures of speech ("teething is killing
me", "kastar upp") are removed (`tokens`); phrases of adjacent words ("take my life", "göra
slut på") give each of their words the phrase's concept (`add_phrases`); `dominant` says which
language a message is mostly in, for the words that are also everyday words of the other
language. Phrases are at most a few words long and are found by the word that follows their
first, so the work is linear in the length of the text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from flows.lexicon import LANGUAGES, Entry, Word, lexicon
from flows.splitting import CLAUSE_WORDS, scan
from flows.word_concepts import tagged_word

#: Words longer than this are never looked up (no lexicon word is so long): a bound on work.
MAX_WORD: Final = 40


@dataclass(slots=True)
class Token:
    """A word in its place: sentence and clause numbers, and the concepts it carries."""

    word: Word
    sentence: int
    clause: int
    concepts: set[str] = field(default_factory=set)
    guarded: dict[str, str] = field(default_factory=dict)  # concept -> language it needs
    everyday: bool = False  # part of a figure of speech: carries nothing


_BLANK: Final = Word("", ("", ""), False)


def tokens(text: str) -> list[Token]:
    """The words of a text with the concepts each one carries, figures of speech removed."""
    out: list[Token] = []
    sentence = clause = 0
    for match in scan(text):
        word, end, brk = match.groups()
        if end:
            sentence, clause = sentence + 1, clause + 1
        elif brk:
            clause += 1
        elif len(word) > MAX_WORD:
            out.append(Token(_BLANK, sentence, clause))
        else:
            info, concepts, guarded = tagged_word(word)
            if info.folded in CLAUSE_WORDS:
                clause += 1
            out.append(Token(info, sentence, clause, set(concepts), dict(guarded)))
    _mark_everyday(out)
    return out


def _phrase_at(entry: Entry, words: list[Token], start: int) -> bool:
    """Whether the phrase's words follow word `start` in its clause (its first word matches)."""
    end = start + len(entry.elements)
    if end > len(words) or words[start].everyday:
        return False
    clause = words[start].clause
    for element, token in zip(entry.elements[1:], words[start + 1 : end], strict=True):
        if token.everyday or token.clause != clause or not element.matches(token.word):
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Starts:
    """The entries that may start at a word, found by the word that must follow it."""

    by_next: Mapping[tuple[str, str], tuple[Entry, ...]]  # second element's key -> entries
    any_next: tuple[Entry, ...]  # one word, or a second element a prefix or "_": checked in full,
    # longest first

    def at(self, words: list[Token], i: int) -> Sequence[Entry]:
        """Those whose second word may be the word after word i, longest first."""
        if not self.by_next:  # most words start no phrase, or only ones checked in full
            return self.any_next
        found = [*self.any_next]
        if i + 1 < len(words):
            after = words[i + 1].word
            for key in (*zip(LANGUAGES, after.stems, strict=True), ("=", after.folded)):
                found += self.by_next.get(key, ())
        return sorted(found, key=lambda e: -len(e.elements)) if len(found) > 1 else found


_NO_STARTS: Final = _Starts({}, ())


def _starts(entries: Iterable[Entry]) -> _Starts:
    by_next: dict[tuple[str, str], list[Entry]] = {}
    any_next: list[Entry] = []
    for entry in entries:
        second = entry.elements[1:2]
        if second and second[0].kind == "stem":
            by_next.setdefault((second[0].language, second[0].value), []).append(entry)
        elif second and second[0].kind == "exact":
            by_next.setdefault(("=", second[0].value), []).append(entry)
        else:
            any_next.append(entry)
    if not by_next and not any_next:
        return _NO_STARTS  # most words start nothing: one object the loops can skip
    any_next.sort(key=lambda e: -len(e.elements))
    return _Starts({k: tuple(v) for k, v in by_next.items()}, tuple(any_next))


@functools.lru_cache(maxsize=8192)
def _starting(word: Word) -> tuple[_Starts, _Starts]:
    """The phrases and the figures of speech that may start at this word."""
    lex = lexicon()
    keys = [*zip(LANGUAGES, word.stems, strict=True)]
    keys += [(language, "=" + word.folded) for language in LANGUAGES]
    phrases = _starts(entry for key in keys for entry in lex.phrases.get(key, ()))
    everyday = _starts(entry for key in keys for entry in lex.everyday.get(key, ()))
    return phrases, everyday


def _mark_everyday(words: list[Token]) -> None:
    """Remove figures of speech, unless a longer concept phrase starts at the same word: the
    longer reading is the more specific one ("ta bort" is everyday, "ta bort mig själv" not)."""
    for i, token in enumerate(words):
        phrases, figures = _starting(token.word)
        if figures is _NO_STARTS:
            continue
        for entry in figures.at(words, i):
            if _phrase_at(entry, words, i):
                longest = max(
                    (len(e.elements) for e in phrases.at(words, i) if _phrase_at(e, words, i)),
                    default=0,
                )
                if longest > len(entry.elements):
                    break
                for j in range(i, i + len(entry.elements)):
                    words[j].everyday = True
                    words[j].concepts.clear()
                    words[j].guarded.clear()
                break


def add_phrases(words: list[Token]) -> None:
    """Give each word of a matched phrase the phrase's concept."""
    for i, token in enumerate(words):
        starts = _starting(token.word)[0]
        if starts is _NO_STARTS:
            continue
        for entry in starts.at(words, i):
            if _phrase_at(entry, words, i):
                first = entry.elements[0]
                for j in range(i, i + len(entry.elements)):
                    if first.guarded:
                        words[j].guarded.setdefault(entry.concept, first.language)
                    else:
                        words[j].concepts.add(entry.concept)


def dominant(words: list[Token]) -> str | None:
    """The language of more than two thirds of the everyday words, or None if neither."""
    markers = lexicon().markers
    en, sv = (sum(t.word.folded in markers[lang] for t in words) for lang in LANGUAGES)
    return "en" if en > 2 * sv else "sv" if sv > 2 * en else None
