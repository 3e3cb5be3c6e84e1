"""The concept lexicons: which words carry which concept, in English and Swedish, as data.

The lexicons are ``flows/lexicons/en.toml`` and ``sv.toml`` (described in docs/safety.md). They
are read once, on first use, and indexed for look-up by a word's Snowball stem (one entry
covers every inflection: "cut" covers cutting, "skada" covers skadar, skadade), by its exact
form, by prefix (compounds such as "självmordstankar"), by the first word of a phrase, and by
the words one letter off a long word (typos). ``flows.word_concepts`` looks a word up;
``flows.concept_tagging`` reads a message's words in place.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final, Protocol

from flows.splitting import fold

#: The two lexicons, each with the Snowball algorithm for its language.
LANGUAGES: Final = ("en", "sv")

#: Typos are looked for only in words at least this long, one letter left out, added or
#: swapped with its neighbour; a letter replaced by another only in longer words, since short
#: words one letter apart are often both real ("snarkar", "sparkar").
MIN_TYPO: Final = 6
MIN_REPLACED: Final = 9

_INDEX: Final = {language: i for i, language in enumerate(LANGUAGES)}


class _Stemmer(Protocol):
    def stemWord(self, word: str) -> str: ...  # noqa: N802 (snowballstemmer's name)


@functools.cache
def stemmer(language: str) -> _Stemmer:
    """The Snowball stemmer of a language ("en" or "sv")."""
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
    return Element(language, "stem", stemmer(language).stemWord(fold(text)), guarded)


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


def deletions(text: str) -> set[str]:
    """The text with one letter left out, in each place: the typo index's keys."""
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


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
                            for variant in (target, *deletions(target)):
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
