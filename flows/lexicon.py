"""Concept lexicons: which words of a message carry which concept, in English and Swedish.

The lexicons are data (``flows/lexicons/en.toml`` and ``sv.toml``, described in
docs/safety.md). A message is folded (lower case, no accents), split into sentences, clauses
and words, and every word is compared with both lexicons at once, so a message that mixes the
two languages is read as one. Words are compared by their Snowball stem, so one entry covers
every inflection ("cut" covers cutting, "skada" covers skadar, skadade); entries can also be
prefixes (compounds such as "självmordstankar"), exact forms, or phrases of adjacent words.

Everything here is linear in the length of the text: one regular expression without
backtracking splits it, each word costs a bounded number of dictionary look-ups (cached), and
phrases are at most a few words long.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Final, Protocol

#: The two lexicons, each with the Snowball algorithm for its language.
LANGUAGES: Final = ("en", "sv")

#: Words longer than this are never looked up (no lexicon word is so long): a bound on work.
MAX_WORD: Final = 40
#: Typos are looked for only in words at least this long, one letter left out, added or
#: swapped with its neighbour; a letter replaced by another only in longer words, since short
#: words one letter apart are often both real ("snarkar", "sparkar").
MIN_TYPO: Final = 6
MIN_REPLACED: Final = 9

_INDEX: Final = {language: i for i, language in enumerate(LANGUAGES)}
_APOSTROPHES: Final = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
_REPEATS: Final = re.compile(r"(\w)\1{2,}")
# A word (letters and digits, with inner apostrophes or colons as in "don't", "tv:n", or one
# emoji such as 💊), a sentence end, or a clause break. Each alternative consumes at least one
# character and nothing is retried, so the scan is linear.
_TOKENS: Final = re.compile(
    r"([^\W_]+(?:['][^\W_]+|:[^\W\d_]+)*|[\u2600-\u27bf\U0001f000-\U0001faff])"
    r"|([.!?\n]+)|([,;:]|\s-\s)"
)
_CLAUSE_WORDS: Final = frozenset({"but", "men", "although", "fast", "though"})


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces: the form patterns expect."""
    return " ".join(_unaccented(text.casefold()).translate(_APOSTROPHES).split())


def _unaccented(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # noqa: N802 (snowballstemmer's name)


@functools.cache
def _stemmer(language: str) -> _Stemmer:
    # The two algorithms only: `import snowballstemmer` would load all 36 of them.
    if language == "en":
        from snowballstemmer.english_stemmer import EnglishStemmer

        return EnglishStemmer()  # type: ignore[no-any-return]
    from snowballstemmer.swedish_stemmer import SwedishStemmer

    return SwedishStemmer()  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Element:
    """One word of an entry: how a token must look to match it."""

    language: str
    kind: str  # "stem", "prefix", "exact" or "any"
    value: str
    guarded: bool = False  # also an everyday word of the other language

    def matches(self, word: Word) -> bool:
        """Whether this element matches the word."""
        if self.kind == "any":
            return True
        if self.kind == "prefix":
            return word.folded.startswith(self.value)
        if self.kind == "exact":
            return word.folded == self.value
        return word.stems[_INDEX[self.language]] == self.value


@dataclass(frozen=True, slots=True)
class Entry:
    """A lexicon entry: one word or a phrase of adjacent words, and the concept it carries."""

    concept: str
    elements: tuple[Element, ...]
    typos: bool = False


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the message as the lexicons see it."""

    folded: str
    stems: tuple[str, str]  # English and Swedish stems
    accented: bool  # typed with letters such as å, ä, ö


@dataclass(slots=True)
class Token:
    """A word in its place: sentence and clause numbers, and the concepts it carries."""

    word: Word
    sentence: int
    clause: int
    concepts: set[str] = field(default_factory=set)
    guarded: dict[str, str] = field(default_factory=dict)  # concept -> language it needs
    everyday: bool = False  # part of a figure of speech: carries nothing


@functools.cache  # the lexicons repeat their little words ("my", "the", "jag") many times
def _element(language: str, text: str) -> Element:
    guarded = text.startswith("~")
    text = text.removeprefix("~")
    if text == "_":
        return Element(language, "any", "")
    if text.startswith("="):
        return Element(language, "exact", fold(text[1:]), guarded)
    if text.endswith("*"):
        return Element(language, "prefix", fold(text[:-1]), guarded)
    return Element(language, "stem", _stemmer(language).stemWord(fold(text)), guarded)


def _words(text: str) -> list[str]:
    return [m.group(1) for m in _TOKENS.finditer(fold(text)) if m.group(1)]


def _entries(
    language: str, concept: str, words: Iterable[str], typos: bool
) -> list[tuple[str, Entry]]:
    out = []
    for text in words:
        parts = fold(text).replace("-", " ").split()  # split as a message is: "self-harm"
        if parts:
            elements = tuple(_element(language, p) for p in parts)
            out.append((text, Entry(concept, elements, typos and len(elements) == 1)))
    return out


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


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


@dataclass(frozen=True)
class Lexicon:
    """Both languages' entries, indexed for look-up by a word's first element."""

    singles: Mapping[tuple[str, str, str], tuple[Entry, ...]]  # (language, kind, value)
    prefixes: Mapping[str, tuple[Entry, ...]]  # folded prefix -> entries
    phrases: Mapping[tuple[str, str], tuple[Entry, ...]]  # (language, first stem) -> entries
    typos: Mapping[str, tuple[tuple[str, Entry], ...]]  # deletion variant -> (word, entry)
    everyday: Mapping[tuple[str, str], tuple[Entry, ...]]  # (language, first stem) -> entries
    markers: Mapping[str, frozenset[str]]  # language -> its everyday words, folded
    glued: tuple[str, ...]  # subjects typed together with the next word, longest first
    about: Mapping[str, str]  # concept -> what it means, from the lexicon files

    def tag(self, word: Word) -> tuple[frozenset[str], Mapping[str, str]]:
        """The concepts a single word carries, and those that need its language to dominate."""
        return _tag_word(self, word)


def _tag_word(lexicon: Lexicon, word: Word) -> tuple[frozenset[str], Mapping[str, str]]:
    found: list[Entry] = []
    for language, stem in zip(LANGUAGES, word.stems, strict=True):
        found += lexicon.singles.get((language, "stem", stem), ())
        found += lexicon.singles.get((language, "exact", word.folded), ())
    for n in range(1, len(word.folded) + 1):
        found += lexicon.prefixes.get(word.folded[:n], ())
    if not found:
        for key in {k for k in (word.folded, *word.stems) if len(k) >= MIN_TYPO}:
            for variant in (key, *_deletions(key)):
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


def _index(documents: Mapping[str, Mapping[str, object]]) -> Lexicon:
    singles: dict[tuple[str, str, str], list[Entry]] = {}
    prefixes: dict[str, list[Entry]] = {}
    phrases: dict[tuple[str, str], list[Entry]] = {}
    typos: dict[str, list[tuple[str, Entry]]] = {}
    everyday: dict[tuple[str, str], list[Entry]] = {}
    markers: dict[str, frozenset[str]] = {}
    glued: set[str] = set()
    about: dict[str, str] = {}
    for language, document in documents.items():
        marker_words = _section(document, "markers").get("words", [])
        markers[language] = frozenset(fold(w) for w in _strings(marker_words))
        glued.update(fold(w) for w in _strings(_section(document, "glued").get("words", [])))
        figures = _strings(_section(document, "everyday")["words"])
        for _, entry in _entries(language, "", figures, False):
            first = entry.elements[0]
            key = first.value if first.kind == "stem" else "=" + first.value
            everyday.setdefault((language, key), []).append(entry)
        for concept, spec in _section(document, "concepts").items():
            assert isinstance(spec, dict), concept
            about.setdefault(concept, str(spec.get("about", "")))
            typo = bool(spec.get("typos", False))
            for text, entry in _entries(language, concept, _strings(spec["words"]), typo):
                first = entry.elements[0]
                if len(entry.elements) > 1:
                    key = first.value if first.kind == "stem" else "=" + first.value
                    phrases.setdefault((language, key), []).append(entry)
                elif first.kind == "prefix":
                    prefixes.setdefault(first.value, []).append(entry)
                else:
                    singles.setdefault((language, first.kind, first.value), []).append(entry)
                if entry.typos:  # as written, as stemmed, and English -ing: "vioces", "kllin"
                    for target in _typo_targets(language, first, text):
                        if len(target) >= MIN_TYPO:
                            for variant in (target, *_deletions(target)):
                                typos.setdefault(variant, []).append((target, entry))
    for entries in (*phrases.values(), *everyday.values()):  # longest first
        entries.sort(key=lambda e: -len(e.elements))
    return Lexicon(
        singles={k: tuple(v) for k, v in singles.items()},
        prefixes={k: tuple(v) for k, v in prefixes.items()},
        phrases={k: tuple(v) for k, v in phrases.items()},
        typos={k: tuple(v) for k, v in typos.items()},
        everyday={k: tuple(v) for k, v in everyday.items()},
        markers=markers,
        glued=tuple(sorted(glued, key=len, reverse=True)),
        about=about,
    )


def _typo_targets(language: str, first: Element, text: str) -> set[str]:
    written = fold(text).lstrip("~=").rstrip("*")
    targets = {written}
    if len(first.value) >= len(written) - 1:  # a stem cut short ("changel") is near too much
        targets.add(first.value)
    if language == "en" and first.kind == "stem" and not written.endswith(("e", "ing")):
        targets.add(written + "ing")  # "hurt" also as "hurting", so "hurtin" and "kllin" are near
    return targets


def _section(document: Mapping[str, object], name: str) -> dict[str, object]:
    section = document.get(name, {})
    assert isinstance(section, dict), name
    return section


def _strings(value: object) -> list[str]:
    assert isinstance(value, list), value
    assert all(isinstance(v, str) for v in value), value
    return value


@functools.cache
def lexicon() -> Lexicon:
    """Both lexicons, read from the package once, on first use."""
    files = resources.files("flows") / "lexicons"
    return _index(
        {lang: tomllib.loads((files / f"{lang}.toml").read_text("utf-8")) for lang in LANGUAGES}
    )


@functools.lru_cache(maxsize=8192)
def plain_word(word: str) -> str:
    """A word of a lowered text as it is compared: letters typed three times or more read once
    ("dieeee"), accents dropped ("sjalvmord")."""
    return _unaccented(_REPEATS.sub(r"\1", word))


@functools.lru_cache(maxsize=8192)
def _word(text: str) -> tuple[Word, frozenset[str], Mapping[str, str]]:
    folded = _REPEATS.sub(r"\1", text)
    plain = _unaccented(folded)
    stems = (_stemmer("en").stemWord(_chat_english(plain)), _stemmer("sv").stemWord(plain))
    word = Word(plain, stems, plain != folded)
    lex = lexicon()
    concepts, guarded = lex.tag(word)
    if not concepts and not guarded:
        concepts = _glued(lex, plain)
    return word, concepts, guarded


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
            found = _word(rest)[1]
            if found - {"filler"}:
                _, concepts, guarded = _word(subject)
                return found | (concepts | frozenset(guarded)) - {"filler"}
    return frozenset()


_BLANK: Final = Word("", ("", ""), False)


def _scan(text: str) -> Iterator[re.Match[str]]:
    """Words, sentence ends and clause breaks of the lowered text, in order."""
    lowered = unicodedata.normalize("NFC", text.casefold()).translate(_APOSTROPHES)
    return _TOKENS.finditer(lowered)


def sentences(text: str) -> list[list[str]]:
    """The words of each sentence, each word as `plain_word` gives it; empty sentences left
    out. The same split as `tokens`, without the lexicons."""
    out: list[list[str]] = [[]]
    for match in _scan(text):
        word, end, _ = match.groups()
        if word:
            out[-1].append(plain_word(word))
        elif end and out[-1]:
            out.append([])
    return [words for words in out if words]


def tokens(text: str) -> list[Token]:
    """The words of a text with the concepts each one carries, figures of speech removed."""
    out: list[Token] = []
    sentence = clause = 0
    for match in _scan(text):
        word, end, brk = match.groups()
        if end:
            sentence, clause = sentence + 1, clause + 1
        elif brk:
            clause += 1
        elif len(word) > MAX_WORD:
            out.append(Token(_BLANK, sentence, clause))
        else:
            info, concepts, guarded = _word(word)
            if info.folded in _CLAUSE_WORDS:
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
