"""People's names in free text: the parent's own, and others' found by name lists and cues.

A word is taken for a name when it is one of the parent's own names (in any case, unless its
neighbours show it is the ordinary word: "I hope", "mitt liv"), when a cue stands before it ("vår
son Olle", "hon heter alva", "Dr Patel", "Mvh Karin"), or when the name lists know it: a common
name that is no ordinary word ("Olle", "Wilma") in any case; a name from the wide lists when
capitalised; a name that is also an ordinary word ("Bo", "Klara", "Hope") only when capitalised
inside a sentence, next to another name, in a list of names, or after a cue. A capitalised word
right after a name is its surname ("Karin Lund"). An ordinary Swedish or English word that no list
knows as a name ("Sambon", "Sorry") is no name just because a cue or a capital stands before it.
The lists and cues are data in ``storage/lexicon``.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import NamedTuple

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
# What joins the items of a list of names: "Lova, Vilja och Sol", "Hope, Faith and Rowan".
_LIST_WORDS = frozenset({"och", "o", "and"})
_LIST_GAP = re.compile(r"\s*,\s*|\s+&\s+")
# Before one of the parent's own names that is also a word, a word shows the ordinary word
# ("mitt liv", "I hope"), except these, after which a person is named ("hälsningar från lina").
_PERSON_BEFORE = frozenset(
    {"från", "from", "av", "by", "till", "to", "med", "with", "hos", "för", "for", "och", "and"}
)
_SPACES = re.compile(r" +")
_KISSES = frozenset({"x", "xx", "xxx", "xo", "xoxo"})  # "Hope x": a signature, not "hope x"
_DEFINITE_ENDINGS = ("en", "an", "on", "et", "rn", "un")
# How verbs and adjectives end, in Swedish and English ("ammar", "vabbar", "snores", "ammade",
# "whined", "ledset", "förkyld", "hungrig", "irriterad"): a word no list knows after "min son"
# that ends so says what he does or is, not his name.
_WORD_ENDINGS = ("r", "s", "t", "d", "de", "en", "ig", "ing", "y")
_NUMBER_GAP = re.compile(r" *[0-9]+(?:[.,:][0-9]+)? *")


class WordList:
    """Lower-case words, one a line in code-point order (UTF-8), looked up by bisection.

    Seventy thousand words kept as the file's bytes and an array of offsets take a tenth of the
    memory of a set of them; a lookup costs a few microseconds, and only words standing where a
    cue or a capital would make them a name are looked up.
    """

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._starts = array("I", [0])
        self._starts.extend(match.end() for match in re.finditer(b"\n", data[:-1]))

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, index: int) -> bytes:
        start = self._starts[index]
        return self._data[start : self._data.find(b"\n", start)]

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        encoded = word.encode()
        index = bisect_left(self, encoded)
        return index < len(self) and self[index] == encoded


Phrases = dict[str, tuple[tuple[str, ...], ...]]  # cue phrases by their last word


@dataclass(frozen=True)
class Lexicon:
    """Name lists and cues, every entry lower-case; cues are tuples of words."""

    tiers: dict[str, str]  # each listed name: "core", "common" (also a word) or "wide"
    not_names: frozenset[str]
    ordinary: frozenset[str]
    before_places: frozenset[str]
    before_places_or_people: frozenset[str]
    words: WordList  # frequent Swedish and English words that are nobody's name
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
    tiers: dict[str, str] = {}
    for tier, files in (
        ("wide", ("names_wide.txt", "names_world.txt", "names_added_wide.txt")),
        ("core", ("names_core.txt", "names_added.txt")),
        ("common", ("names_common_words.txt",)),
    ):
        for file in files:
            tiers.update(dict.fromkeys(names(file), tier))  # a later tier wins
    return Lexicon(
        tiers=tiers,
        not_names=frozenset(cues["names"]["not_names"]),
        ordinary=frozenset(
            word
            for key in ("swedish", "english", "genitive_look_alikes")
            for word in cues["words"][key]
        ),
        before_places=frozenset(names_cues["before_places"]),
        before_places_or_people=frozenset(names_cues["before_places_or_people"]),
        words=WordList(folder.joinpath("words.txt").read_bytes()),
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


class _Token(NamedTuple):
    """One word of the text (a named tuple: texts have many words, and tuples are cheap)."""

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


@dataclass(frozen=True)
class OwnWords:
    """The parent's names as lower-case words, sorted by how firmly they are removed.

    ``ambiguous`` are also ordinary words ("hope", "lina", "per", "rob"): removed unless their
    neighbours show the ordinary word. ``plain`` are username parts that are ordinary words and
    no name ("mum" in "sarahj_mum"): removed only where written as a name.
    """

    words: frozenset[str]
    ambiguous: frozenset[str]
    plain: frozenset[str]


class _Finder:
    """Decides, word by word, which words of one text are names."""

    def __init__(self, text: str, own: OwnWords) -> None:
        self.lex = lexicon()
        self.own = own
        self.tokens: list[_Token] = []
        previous = 0
        for match in WORD.finditer(text):
            word, start = match.group(), match.start()
            self.tokens.append(_Token(start, match.end(), word, word.lower(), text[previous:start]))
            previous = match.end()
        self.names = [False] * len(self.tokens)
        self._tiers: dict[int, str | None] = {}

    def spans(self) -> list[tuple[int, int]]:
        for index in range(len(self.tokens)):
            self.names[index] = self._is_name(index)
        for index in range(len(self.tokens) - 1, -1, -1):  # "Bo Svensson": a first name before
            if not self.names[index] and self._before_a_name(index):
                self.names[index] = True
        self._lists()
        # A word found to be a name once is one wherever it is capitalised in the same text:
        # "I'm Grace's mum. Grace is 8 weeks". The parent's own names are decided each time.
        found = {
            base
            for tok, name in zip(self.tokens, self.names, strict=True)
            if name
            for base in _genitive_bases(tok.lower)
            if base not in self.own.words
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
        if any(base in self.own.words for base in bases):
            return "own"
        if word[:1].islower() and not lower.endswith(("'s", "’s")):
            bases = (lower,)
        if lower in lex.ordinary and lower not in lex.tiers:
            return None  # "This" is no genitive of "Thi"
        listed = [base for base in bases if base in lex.tiers]
        if not listed:
            return None
        if any(
            lex.tiers[base] == "common" or base in lex.ordinary or len(base) < 3 for base in listed
        ):
            return "common"
        return lex.tiers[listed[0]]

    def _tier_of(self, index: int) -> str | None:
        """``_tier`` of word ``index``, looked up once."""
        if index not in self._tiers:
            self._tiers[index] = self._tier(self.tokens[index].text)
        return self._tiers[index]

    def _a_word(self, index: int) -> bool:
        """Whether the word is an ordinary one that no list knows as a name ("Sambon", "Sorry")."""
        lower = self.tokens[index].lower
        if lower in self.lex.ordinary or (lower,) in self.lex.relations.get(lower, ()):
            return True  # "Hej, Barnmorskan tyckte", "Thanks, Nana"
        if self._tier_of(index) is not None:
            return False
        # a word, or a word's genitive: "Bebisens mamma", "the baby's cot"
        return any(
            base in self.lex.words or base in self.lex.ordinary for base in _genitive_bases(lower)
        )

    def _unknown_person(self, index: int) -> bool:
        """Whether a word no list knows may be a person's name: capitalised, no ordinary word,
        and not where a place is named ("till Eskilstuna", "to Leeds")."""
        tok = self.tokens[index]
        if not tok.title or self._a_word(index) or tok.lower in self.lex.not_names:
            return False
        return not self._after_place_word(index, self.lex.before_places_or_people)

    def _after_place_word(self, index: int, *more: frozenset[str]) -> bool:
        """Whether a word after which places are named stands right before word ``index``."""
        if index == 0 or _SPACES.fullmatch(self.tokens[index].gap) is None:
            return False
        before = self.tokens[index - 1].lower
        return before in self.lex.before_places or any(before in words for words in more)

    def _a_place(self, index: int) -> bool:
        """ "i Mora", "in Hull", "in Lagos": a name where a place is named, unless a genitive
        before a word ("i Olles rum")."""
        if not self._after_place_word(index):
            return False
        tok = self.tokens[index]
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return (
            tok.lower in self.lex.tiers
            or following is None
            or following.gap != " "
            or not following.text.islower()
        )

    # ---- cues

    def _after(self, index: int, phrases: Phrases) -> bool:
        """Whether one of the phrases ends right before word ``index`` (a cue gap between)."""
        tok = self.tokens[index]
        if "/" in phrases and tok.gap.rstrip().endswith("/"):
            # "Tack! /Sanna", "// anna-karin"; not a command such as "/borja_om"
            return tok.title or self._tier(tok.text) in ("core", "own")
        if index == 0 or self.tokens[index - 1].lower not in phrases:
            return False
        if not _CUE_GAP.fullmatch(tok.gap):
            return False
        if _SENTENCE_END.search(tok.gap) and not (
            tok.gap.strip() == "." and self.tokens[index - 1].lower in _ABBREVIATIONS
        ):
            return False  # "Thank you. Tap ..." ends a sentence; "Dr. Patel" does not
        return self._phrase_before(index, phrases) > 0

    def _phrase_before(self, index: int, phrases: Phrases) -> int:
        """How many words the longest of the phrases has that ends right before word ``index``."""
        for phrase in phrases.get(self.tokens[index - 1].lower, ()):
            size = len(phrase)
            if index < size:
                continue
            words = self.tokens[index - size : index]
            if tuple(word.lower for word in words) == phrase and all(
                not word.gap.strip() or word.gap.strip() == "-" for word in words[1:]
            ):
                return size
        return 0

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

    def _after_own_relation(self, index: int) -> bool:
        """After a relation that is someone's own: "min dotter", "our son", "sonen", "sambon".

        Only there is a lower-case word a name for being listed or unknown ("min dotter lova",
        "sonen tyko"); after "little", "man" or "baby" it is what the parent goes on to say.
        """
        size = self._phrase_before(index, self.lex.relations)
        if size > 1:
            return True  # "mum to", "mamma till"
        relation = self.tokens[index - 1]
        if len(relation.lower) >= 5 and relation.lower.endswith(_DEFINITE_ENDINGS):
            return True  # a Swedish definite form: "sonen", "sambon", "partnern"
        return (
            index >= 2
            and _SPACES.fullmatch(relation.gap) is not None
            and self.tokens[index - 2].lower in _POSSESSIVES
        )

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
        """ "Ebbas farfar", "Klaras mamma": a name's genitive, then who that person is to them.

        Not "Hans bror": "hans" and "hennes" are the pronouns there.
        """
        tok = self.tokens[index]
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        return (
            tok.lower.endswith("s")
            and tok.lower not in _POSSESSIVES
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
        tier = self._tier_of(index)
        if tier == "own":
            return self._own_is_name(index)
        if len(tok.lower) < 2 or (tok.upper and len(tok.text) <= 3 and tier != "core"):
            return False  # single letters and acronyms: "I", "BVC", "GP", "MIP"
        word_like = tok.lower in lex.ordinary
        if tier is None and tok.text.islower():
            # a lower-case word no list knows is a name only after a naming word or a relation
            if word_like:
                return False
            if self._after_naming(index):
                return not self._a_word(index)
            return self._after(index, lex.relations) and self._named_after_relation(index, tier)
        if self._is_cue(index):
            return False  # "Dr Singh", "Nana Brenda", "(mormor)", "(named Wren)"
        if self._after_naming(index):
            return tok.title or not (word_like or (tier is None and self._a_word(index)))
        if tok.title and self._after_relation_is(index):
            return tok.lower not in lex.not_names and not self._a_word(index)
        if self._after(index, lex.relations):
            return self._named_after_relation(index, tier)
        if self._after(index, lex.weak_naming):
            return tok.title or (tok.upper and not self._a_word(index)) or tier in ("core", "wide")
        if self._after(index, lex.introductions) or self._after(index, lex.signatures):
            if tok.title and tok.lower not in lex.not_names:
                # "love, Jo", not "Thanks, Mum" or "Hej, Sonen"
                return not self._a_word(index) or tier == "common"
            if tok.upper and tier is not None and tok.lower not in lex.not_names:
                return not word_like or tier == "common"  # "MVH SOFIA", not "Hej, ADHD"
            return tier in ("core", "wide")
        if self._after(index, lex.together_before) and (tok.title or tier in ("core", "wide")):
            return tier is not None or self._unknown_person(index)
        if tok.lower in lex.not_names or self._a_place(index):
            return self._surname(index)
        if tier == "core":
            return True
        if tier == "wide":
            return tok.title  # in capitals, "NICU" and "SAHAR" alike: only after a cue
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
        elif (
            self._before(index, lex.together)
            or self._introduced(index)
            or self._appositive(index)
            or self._genitive_before_relation(index)
        ):
            # "Nathalie och jag", "Darya, min dotter", "Daryas pappa"; not "Leeds and I"
            return self._unknown_person(index)
        return self._surname(index)

    def _named_after_relation(self, index: int, tier: str | None) -> bool:
        """After "min son", "my wife", "Dr", "mormor": a capitalised word is a name; a lower-case
        one if listed ("min dotter lova", "my husband bill") or no word at all ("sonen tyko"),
        and only after someone's own relation."""
        tok = self.tokens[index]
        if tok.title:
            return True
        if tok.gap.strip().endswith("(") and not self._a_word(index):
            return True  # "maken (tobbe)"
        if (tok.upper and not self._a_word(index)) or tier in ("core", "wide"):
            return True
        if tok.upper or not self._after_own_relation(index):
            return False
        if tier == "common":
            return tok.lower not in self.lex.ordinary
        return (
            len(tok.lower) > 2
            and not tok.lower.endswith(_WORD_ENDINGS)
            and tok.lower not in self.lex.not_names
            and not self._a_word(index)
        )

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

    def _lists(self) -> None:
        """A list with a name in it is a list of names: "Lova, Vilja och Sol", "Hope, Faith and
        Rowan", "elsa, klara och bo". Its capitalised items go if listed or no ordinary word; its
        lower-case ones if listed and the list has three items or more; a capitalised word no list
        knows if the list has three items or an "och" ("Yusra och Bilal")."""
        index = 0 if any(self.names) else len(self.tokens)
        while index < len(self.tokens):
            run, joined = [index], False
            while (following := self._next_in_list(run[-1])) is not None:
                joined = joined or following > run[-1] + 1 or "&" in self.tokens[following].gap
                run.append(following)
            index = run[-1] + 1
            if len(run) < 2 or not any(self.names[item] for item in run):
                continue
            long = len(run) > 2
            for item in run:
                tok = self.tokens[item]
                if self.names[item] or tok.lower in self.lex.not_names or self._a_word(item):
                    continue
                if self._tier(tok.text) is not None:
                    self.names[item] = tok.title or long
                else:
                    self.names[item] = (long or joined) and self._unknown_person(item)

    def _next_in_list(self, index: int) -> int | None:
        """The next item of a list that word ``index`` is in: after ", ", " & " or " och "."""
        if index + 1 >= len(self.tokens):
            return None
        following = self.tokens[index + 1]
        if ("," in following.gap or "&" in following.gap) and _LIST_GAP.fullmatch(following.gap):
            return index + 1
        if (
            following.lower in _LIST_WORDS
            and following.gap == " "
            and index + 2 < len(self.tokens)
            and self.tokens[index + 2].gap == " "
        ):
            return index + 2
        return None

    def _next_to_own_name(self, index: int) -> bool:
        """Beside another of the parent's names, with a space between: "lina åkesson"."""
        for other in (index - 1, index + 1):
            if 0 <= other < len(self.tokens):
                gap = self.tokens[max(index, other)].gap
                word = self.tokens[other].lower
                if gap == " " and word in self.own.words and word not in self.own.plain:
                    return True
        return False

    def _own_is_name(self, index: int) -> bool:
        """The parent's own names go in any case, unless their neighbours show the ordinary word.

        A name that is no word goes everywhere. One that is also a word ("Hope", "lina", "per",
        "rob") goes in capitals, beside another of the parent's names, after a cue, before
        "here" or "här", capitalised inside a sentence, and wherever no ordinary word stands
        right beside it ("lina här!", "Saga, mamma till Melvin"); it stays where one does ("I
        hope", "mitt liv", "klara det", "gånger per natt", "max två timmar").
        """
        tok = self.tokens[index]
        bases = _genitive_bases(tok.lower)
        if not any(base in self.own.ambiguous for base in bases):
            return True
        if tok.upper or self._next_to_own_name(index):
            return True  # "LINA", "lina åkesson", "will green"
        if any(base in self.own.plain for base in bases):
            return (tok.title and not tok.initial) or self._after_naming(index)
        lex = self.lex
        if tok.lower not in self.own.words and not self._ordinary_word(tok.lower):
            return True  # a genitive that is no word: "linas mamma", "Hope's mum"
        if (
            self._after_naming(index)
            or self._after(index, lex.relations)
            or self._after(index, lex.signatures)
            or self._after(index, lex.together_before)
            or self._before(index, lex.together)
        ):
            return True
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else None
        if following is not None and following.lower in _INTRODUCED and following.gap == " ":
            return True  # "Ek heter vi", "rob here"
        if self._after(index, lex.introductions):
            return not self._word_after(index)  # "det är sanna här", not "det är sanna ord"
        if tok.title and not tok.initial and tok.lower not in lex.not_names:
            return True  # not "worse in April" from April
        return not self._used_as_word(index)

    def _used_as_word(self, index: int) -> bool:
        """Whether an ordinary word stands right beside word ``index``, or a number before it."""
        tok = self.tokens[index]
        if _NUMBER_GAP.fullmatch(tok.gap):
            return True  # "3 em"
        if index > 0 and _SPACES.fullmatch(tok.gap):
            before = self.tokens[index - 1]
            if before.lower not in _PERSON_BEFORE and self._ordinary_word(before.lower):
                return True
        return self._word_after(index)

    def _word_after(self, index: int) -> bool:
        """Whether an ordinary word follows word ``index`` ("max två timmar", "hope you").

        Not a number: "Sanna 34 år, mamma till Elsa" introduces Sanna.
        """
        if index + 1 >= len(self.tokens):
            return False
        after = self.tokens[index + 1]
        return (
            _SPACES.fullmatch(after.gap) is not None
            and after.lower not in _LIST_WORDS
            and after.lower not in _KISSES
            and self._ordinary_word(after.lower)
        )

    def _ordinary_word(self, lower: str) -> bool:
        lex = self.lex
        return lower in lex.ordinary or (lower not in lex.tiers and lower in lex.words)


def own_words(names: Sequence[str]) -> OwnWords:
    """The parent's names as lower-case words, in parts: "Zlatanovic-Berg", "anna_sv_88".

    First and last names count whole and in parts, and so does a listed name that the first name
    begins with ("rob" of Robert). A username's letter parts of two letters or more count too;
    those that are ordinary words and no name, unless a nickname of the first or last name ("em"
    of Emily), count only as ``plain``.
    """
    lex = lexicon()
    words: set[str] = set()
    given: set[str] = set()
    username: set[str] = set()
    for name in names:
        clean = unicodedata.normalize("NFKC", name).strip()
        handle = clean.startswith("@") or bool(re.search(r"[\d_]", clean))
        for part in re.split(r"[^\w'’]+|_|(?<=\D)(?=\d)|(?<=\d)(?=\D)", clean.lstrip("@")):
            part = part.strip("'’").lower()
            if len(part) >= 2 and part.isalpha():
                (username if handle else given).update({part, fold(part)})
    first = next((name for name in names if name.strip() and not re.search(r"[\d_@]", name)), "")
    for part in re.split(r"[^\w'’]+", first.lower()):
        # a nickname a name list knows: "rob" of Robert, "dan" of Daniel, "nat" of Natalie
        given.update(part[:size] for size in range(3, len(part)) if part[:size] in lex.tiers)
    words = given | username
    ambiguous = {
        word
        for word in words
        if len(word) <= 2
        or word in lex.ordinary
        or lex.tiers.get(word) == "common"
        or word in lex.words
    }
    plain = {
        word
        for word in username - given
        if word in ambiguous
        and word not in lex.tiers
        and len(word) > 2
        and not any(name.startswith(word) for name in given)
    }
    return OwnWords(frozenset(words), frozenset(ambiguous), frozenset(plain))


def name_spans(text: str, names: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Where the names in ``text`` are, as (start, end) pairs in order."""
    return _Finder(text, own_words(names)).spans()
