"""People's names in free text: the parent's own, and others' found by name lists and cues.

A word is taken for a name when it is one of the parent's own names, when a cue stands before it
("vår son Olle", "hon heter alva", "Dr Patel", "Mvh Karin"), or when the name lists know it: a
common name that is no ordinary word ("Olle", "Wilma") in any case; a name from the wide lists
when capitalised; a name that is also an ordinary word ("Bo", "Klara", "Hope") only when
capitalised inside a sentence, next to another name, or after a cue. A capitalised word right
after a name is its surname ("Karin Lund"). The lists and cues are data in ``storage/lexicon``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

# A word: letters, with apostrophes inside ("Anna's", "O'Brien"); digits and "_" end it. Each
# repetition starts after an apostrophe the letters cannot match, so matching is linear.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")

_SENTENCE_END = re.compile(r"[.!?\n]")
# What may stand between a cue and its name: "Dr. Patel", "min sambo, Oscar", "maken (tobbe)",
# "Thanks - Lucy", "hälsningar /Malin".
_CUE_GAP = re.compile(r"\s*[.,:;(\-–—/]*\s*")
_FILLERS = frozenset({"egentligen", "faktiskt", "ju", "actually", "just", "him", "her", "them"})
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "prof", "doc", "s"})  # "s" as in "p.s."
# After a name at the start of a sentence: "Ek heter vi", "Tom here", "Bo här".
_INTRODUCED = frozenset({"heter", "hette", "here", "här"})
_POSSESSIVES = frozenset(
    {"min", "mitt", "vår", "vårt", "hans", "hennes", "my", "our", "his", "her"}
)


Phrases = dict[str, tuple[tuple[str, ...], ...]]  # cue phrases by their last word


@dataclass(frozen=True)
class Lexicon:
    """Name lists and cues, every entry lower-case; cues are tuples of words."""

    core: frozenset[str]
    common: frozenset[str]
    wide: frozenset[str]
    listed: frozenset[str]  # all three
    not_names: frozenset[str]
    ordinary: frozenset[str]
    naming: Phrases
    weak_naming: Phrases
    relations: Phrases
    introductions: Phrases
    signatures: Phrases
    together: Phrases
    together_before: Phrases


@cache
def lexicon() -> Lexicon:
    """The name lists and cues shipped in ``storage/lexicon``, read once."""
    folder = resources.files("storage").joinpath("lexicon")
    cues = tomllib.loads(folder.joinpath("cues.toml").read_text("utf-8"))

    def names(file: str) -> frozenset[str]:
        text = folder.joinpath(file).read_text("utf-8")
        return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())

    def phrases(words: Iterable[str]) -> Phrases:
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in words:
            split = tuple(WORD.findall(phrase.lower())) or (phrase,)
            index.setdefault(split[-1], []).append(split)
        return {last: tuple(found) for last, found in index.items()}

    names_cues = cues["names"]
    core = names("names_core.txt") | names("names_added.txt")
    common, wide = names("names_common_words.txt"), names("names_wide.txt")
    return Lexicon(
        core=core,
        common=common,
        wide=wide,
        listed=core | common | wide,
        not_names=frozenset(cues["names"]["not_names"]),
        ordinary=frozenset(
            word
            for key in ("swedish", "english", "genitive_look_alikes")
            for word in cues["words"][key]
        ),
        naming=phrases(names_cues["naming"]),
        weak_naming=phrases(names_cues["naming_weak"]),
        relations=phrases(names_cues["relations"]),
        introductions=phrases(names_cues["introductions"]),
        signatures=phrases([*names_cues["signatures"], *cues["handles"]["services"]]),
        together=phrases(names_cues["together"]),
        together_before=phrases(names_cues["together_before"]),
    )


def fold(word: str) -> str:
    """The word without diacritics: "Öberg" -> "Oberg", as parents type on foreign keyboards."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    lower: str
    gap: str  # the text between the previous word (or the start) and this one

    @property
    def title(self) -> bool:
        return self.text[0].isupper() and not self.text.isupper()

    @property
    def upper(self) -> bool:
        return self.text.isupper() and len(self.text) > 1

    @property
    def initial(self) -> bool:
        """First word of the text or of a sentence, where anything is capitalised."""
        at_start = not self.gap.strip() and self.start == len(self.gap)
        return at_start or bool(_SENTENCE_END.search(self.gap))


def _genitive_bases(lower: str) -> tuple[str, ...]:
    """The word and what it could be the genitive of: "annas", "anna's" -> "anna"."""
    if lower.endswith(("'s", "’s")):
        return (lower, lower[:-2])
    if lower.endswith("s") and len(lower) > 3:
        return (lower, lower[:-1])
    return (lower,)


class _Finder:
    """Decides, word by word, which words of one text are names."""

    def __init__(self, text: str, own: frozenset[str], own_ambiguous: frozenset[str]) -> None:
        self.lex = lexicon()
        self.own = own
        self.own_ambiguous = own_ambiguous
        self.tokens: list[_Token] = []
        previous = 0
        for match in WORD.finditer(text):
            word, start = match.group(), match.start()
            self.tokens.append(_Token(start, match.end(), word, word.lower(), text[previous:start]))
            previous = match.end()
        self.names = [False] * len(self.tokens)

    def spans(self) -> list[tuple[int, int]]:
        for index in range(len(self.tokens)):
            self.names[index] = self._is_name(index)
        for index in range(len(self.tokens) - 1, -1, -1):  # "Bo Svensson": a first name before
            if not self.names[index] and self._before_a_name(index):
                self.names[index] = True
        # A word found to be a name once is one wherever it is capitalised in the same text:
        # "I'm Grace's mum. Grace is 8 weeks".
        found = {
            base
            for tok, name in zip(self.tokens, self.names, strict=True)
            if name
            for base in _genitive_bases(tok.lower)
        }
        for index, tok in enumerate(self.tokens):
            if tok.title and not self.names[index] and tok.lower in found:
                self.names[index] = True
        pairs = zip(self.tokens, self.names, strict=True)
        return [(tok.start, tok.end) for tok, name in pairs if name]

    # ---- what the lists say

    def _tier(self, word: str) -> str | None:
        """Which list knows the word: "own", "core", "wide", "common" (also a word) or none.

        A genitive is looked up as its name ("Olles", "Mia's"); a bare "s" only on a word written
        with a capital, or "less" would be the genitive of "Les".
        """
        lex = self.lex
        lower = word.lower()
        bases = _genitive_bases(lower)
        if any(base in self.own for base in bases):
            return "own"
        if word[:1].islower() and not lower.endswith(("'s", "’s")):
            bases = (lower,)
        if lower in lex.ordinary and lower not in lex.listed:
            return None  # "This" is no genitive of "Thi"
        listed = [base for base in bases if base in lex.listed]
        if not listed:
            return None
        if any(base in lex.common or base in lex.ordinary or len(base) < 3 for base in listed):
            return "common"
        return "core" if listed[0] in lex.core else "wide"

    # ---- cues

    def _after(self, index: int, phrases: Phrases) -> bool:
        """Whether one of the phrases ends right before word ``index`` (a cue gap between)."""
        tok = self.tokens[index]
        if "/" in phrases and tok.gap.rstrip().endswith("/"):
            # "Tack! /Sanna", "// anna-karin"; not a command such as "/borja_om"
            return tok.title or self._tier(tok.text) == "core"
        if index == 0 or not _CUE_GAP.fullmatch(tok.gap):
            return False
        if _SENTENCE_END.search(tok.gap) and not (
            tok.gap.strip() == "." and self.tokens[index - 1].lower in _ABBREVIATIONS
        ):
            return False  # "Thank you. Tap ..." ends a sentence; "Dr. Patel" does not
        for phrase in phrases.get(self.tokens[index - 1].lower, ()):
            size = len(phrase)
            if index < size:
                continue
            words = self.tokens[index - size : index]
            if tuple(word.lower for word in words) == phrase and all(
                not word.gap.strip() or word.gap.strip() == "-" for word in words[1:]
            ):
                return True
        return False

    def _after_naming(self, index: int) -> bool:
        if self._after(index, self.lex.naming):
            return True
        # one filler between: "han heter egentligen Per-Olof", "we named her Aurora"
        return (
            index > 0
            and self.tokens[index - 1].lower in _FILLERS
            and not self.tokens[index].gap.strip()
            and (
                self._after(index - 1, self.lex.naming)
                or self._after(index - 1, self.lex.weak_naming)
            )
        )

    def _after_relation_is(self, index: int) -> bool:
        """ "my wife is Ngozi", "min sambo heter Kim": a relation, "is", then the name."""
        if index < 2 or self.tokens[index - 1].lower not in ("is", "är", "was", "var"):
            return False
        return self.tokens[index].gap == " " and self._after(index - 1, self.lex.relations)

    def _before(self, index: int, phrases: Phrases) -> bool:
        """Whether one of the phrases follows word ``index`` ("Will and I")."""
        for candidates in phrases.values():
            for phrase in candidates:
                words = self.tokens[index + 1 : index + 1 + len(phrase)]
                if (
                    len(words) == len(phrase)
                    and tuple(word.lower for word in words) == phrase
                    and all(not word.gap.strip() for word in words)
                ):
                    return True
        return False

    def _introduced(self, index: int) -> bool:
        """ "Ek heter vi", "Tom here": a capitalised word, then "heter" or "here"."""
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return (
            following is not None
            and following.lower in _INTRODUCED
            and following.gap == " "
            and self.tokens[index].title
            and self.tokens[index].lower not in self.lex.ordinary
        )

    def _is_cue(self, index: int) -> bool:
        """A relation, title or naming word standing as a cue: before a capitalised word, or
        alone in brackets."""
        tok = self.tokens[index]
        lex = self.lex
        cue = any(
            (tok.lower,) in phrases.get(tok.lower, ())
            for phrases in (lex.relations, lex.naming, lex.weak_naming)
        )
        if not cue:
            return False
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        if following is not None and following.gap.strip() in ("", ".") and following.title:
            return True
        return tok.gap.strip().endswith("(")

    def _genitive_before_relation(self, index: int) -> bool:
        """ "Ebbas farfar", "Klaras mamma": a name's genitive, then who that person is to them."""
        tok = self.tokens[index]
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return (
            tok.lower.endswith("s")
            and following is not None
            and following.gap == " "
            and (following.lower,) in self.lex.relations.get(following.lower, ())
        )

    def _appositive(self, index: int) -> bool:
        """ "Björn, min man, ..." and "Klara (min dotter)": a name, then who that is."""
        following = self.tokens[index + 1 : index + 3]
        if len(following) < 2 or following[0].gap.strip() not in (",", "("):
            return False
        relations = self.lex.relations.get(following[1].lower, ())
        return following[0].lower in _POSSESSIVES and (following[1].lower,) in relations

    # ---- the decision

    def _is_name(self, index: int) -> bool:
        tok = self.tokens[index]
        lex = self.lex
        tier = self._tier(tok.text)
        if tier == "own":
            return self._own_is_name(index)
        if len(tok.lower) < 2 or (tok.upper and len(tok.text) <= 3 and tier != "core"):
            return False  # single letters and acronyms: "I", "BVC", "GP", "MIP"
        word_like = tok.lower in lex.ordinary
        if self._is_cue(index):
            return False  # "Dr Singh", "Nana Brenda", "(mormor)", "(named Wren)"
        if self._after_naming(index):
            return not word_like or tok.title
        if tok.title and self._after_relation_is(index):
            return tok.lower not in lex.not_names
        if self._after(index, lex.relations) or self._after(index, lex.weak_naming):
            if tok.title:
                return True
            if tok.gap.strip().endswith("(") and not word_like:
                return True  # "maken (tobbe)"
            return (tok.upper and not word_like) or tier in ("core", "wide")
        if self._after(index, lex.introductions) or self._after(index, lex.signatures):
            if (tok.title or tok.upper) and tok.lower not in lex.not_names:
                return not word_like or tier == "common"  # "love, Jo", not "Thanks, Mum"
            return tier in ("core", "wide")
        if self._after(index, lex.together_before) and (tok.title or tier in ("core", "wide")):
            return not word_like or tier is not None
        if tok.lower in lex.not_names:
            return self._surname(index)
        if tier == "core":
            return True
        if tier == "wide":
            return tok.title or tok.upper
        if tier == "common":
            if tok.title and not tok.initial:
                return True
            if tok.title and (
                self._genitive_before_relation(index)
                or self._before(index, lex.together)
                or self._appositive(index)
                or self._introduced(index)
            ):
                return True
        elif (self._before(index, lex.together) or self._introduced(index)) and not word_like:
            return tok.title
        return self._surname(index)

    def _surname(self, index: int) -> bool:
        """A capitalised word right after a name: "Karin Lund", "Amara Okonkwo"."""
        tok = self.tokens[index]
        if index == 0 or not self.names[index - 1] or tok.gap not in (" ", "-"):
            return False
        if not tok.title or tok.lower in self.lex.ordinary:
            return False
        # "Karin Lund", "Elsa-Maj": a listed name is one here even if it is also a town or month
        return tok.lower not in self.lex.not_names or self._tier(tok.text) is not None

    def _before_a_name(self, index: int) -> bool:
        tok = self.tokens[index]
        if index + 1 >= len(self.tokens) or not self.names[index + 1]:
            return False
        if self.tokens[index + 1].gap not in (" ", "-"):
            return False
        return tok.title and self._tier(tok.text) in ("common", "own")

    def _next_to_own_name(self, index: int) -> bool:
        """Beside one of the parent's names that is no ordinary word, with a space between."""
        for other in (index - 1, index + 1):
            if 0 <= other < len(self.tokens):
                gap = self.tokens[max(index, other)].gap
                word = self.tokens[other].lower
                if gap == " " and word in self.own and word not in self.own_ambiguous:
                    return True
        return False

    def _own_is_name(self, index: int) -> bool:
        """The parent's own names go in any case, unless they are ordinary words written so."""
        tok = self.tokens[index]
        if not any(base in self.own_ambiguous for base in _genitive_bases(tok.lower)):
            return True
        if tok.upper or self._next_to_own_name(index):
            return True  # "LINA", "lina åkesson"
        if not tok.title:
            return self._after_naming(index)
        if not tok.initial:
            return True
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        if following is None or following.gap not in (" ", "-"):
            return False
        return following.title or following.lower in _INTRODUCED


def own_words(names: Sequence[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The parent's names as lower-case words, and those of them that are also ordinary words.

    First and last names count whole and in parts ("Zlatanovic-Berg"); a username's letter parts
    count when they are a name or three letters or more ("anna_sv_88" -> "anna").
    """
    lex = lexicon()
    words: set[str] = set()
    for name in names:
        clean = unicodedata.normalize("NFKC", name).strip().lstrip("@")
        for part in re.split(r"[^\w'’]+|_|(?<=\D)(?=\d)|(?<=\d)(?=\D)", clean):
            part = part.strip("'’").lower()
            if len(part) >= 2 and part.isalpha():
                words.update({part, fold(part)})
    ambiguous = {
        word
        for word in words
        if len(word) <= 2 or word in lex.ordinary or word in lex.common
    }
    return frozenset(words), frozenset(ambiguous)


def name_spans(text: str, names: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Where the names in ``text`` are, as (start, end) pairs in order."""
    own, own_ambiguous = own_words(names)
    return _Finder(text, own, own_ambiguous).spans()
