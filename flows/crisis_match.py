"""Finding the rules in a message's words, and choosing the level of each match.

A rule matches when one word of each of its groups stands within its window in one sentence
(or, for a rule `across`, in neighbouring ones), in any order, with none of its `unless`
concepts within reach. Most rules give their level outright; harm to the baby, and a method
with the baby in it, take theirs from the words around the match (docs/safety.md, "Negation
and fear choose the level"), with the groups of the rules file that name those words.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Final

from flows.concept_tagging import Token
from flows.crisis_aims import THE_BABY
from flows.crisis_rules import BABY, DANGER, METHOD, UNWANTED, Rule, rules

#: How far from a harm to the baby a sign of intent is read (words, same sentence).
_REACH: Final = 8


@functools.cache
def _rules_by_concept() -> dict[str, list[int]]:
    """For each concept, the rules (by number, in order) that need it."""
    by_concept: dict[str, list[int]] = {}
    for number, rule in enumerate(rules().rules):
        for concept in {c for group in rule.needs for c in group}:
            by_concept.setdefault(concept, []).append(number)
    return by_concept


@functools.lru_cache(maxsize=4096)
def _candidates(concepts: frozenset[str]) -> tuple[int, ...]:
    """The rules (by number, in order) that need one of these concepts."""
    by_concept = _rules_by_concept()
    return tuple(sorted({n for c in concepts for n in by_concept.get(c, ())}))


def matches(words: list[Token]) -> Iterable[tuple[Rule, int, int]]:
    """Each rule's match as (rule, first word, last word), at most once per rule.

    One pass: the last place each concept was seen in the sentence is kept, and when a word
    brings a concept, only the rules that need it are checked, each against those places.
    """
    table = rules().rules
    last: dict[str, int] = {}
    anywhere: dict[str, int] = {}  # not cleared at a sentence end: for rules `across`
    sentence = -1
    fired: set[int] = set()
    for p, token in enumerate(words):
        if token.sentence != sentence:
            last.clear()
            sentence = token.sentence
        if not token.concepts:
            continue
        for concept in token.concepts:
            last[concept] = anywhere[concept] = p
        for number in _candidates(frozenset(token.concepts)):
            if number in fired:
                continue
            rule = table[number]
            lo = _earliest(rule, anywhere if rule.across else last, p)
            if lo is not None and not _blocked(rule, words, lo, p):
                fired.add(number)
                yield rule, lo, p


def _earliest(rule: Rule, last: dict[str, int], p: int) -> int | None:
    """The first word of the closest match ending at word p, or None if a group is missing."""
    lo = p
    floor = p - rule.window
    for group in rule.needs:
        seen = -1
        for concept in group:
            at = last.get(concept, -1)
            if at > seen:
                seen = at
        if seen < floor or seen < 0:
            return None
        if seen < lo:
            lo = seen
    return lo


def _blocked(rule: Rule, words: list[Token], lo: int, hi: int) -> bool:
    if not rule.unless:
        return False
    sentences = range(words[lo].sentence, words[hi].sentence + 1)
    near = words[max(0, lo - rule.reach) : hi + rule.reach + 1]
    return any(t.sentence in sentences and t.concepts.intersection(rule.unless) for t in near)


def level_of(rule: Rule, words: list[Token], lo: int, hi: int) -> str:
    """The level a match gives: the rule's own, or read from the words around it."""
    if rule.level == METHOD:
        return _baby_level(rule, words, lo, hi) if _baby_near(words, lo, hi) else DANGER
    if rule.level == BABY:
        return _baby_level(rule, words, lo, hi)
    return rule.level


def _around(words: list[Token], lo: int, hi: int) -> set[str]:
    """The concepts within reach of a match, in its sentence."""
    sentence = words[hi].sentence
    around: set[str] = set()
    for t in words[max(0, lo - _REACH) : hi + _REACH + 1]:
        if t.sentence == sentence:
            around |= t.concepts
    return around


def _baby_near(words: list[Token], lo: int, hi: int) -> bool:
    """Whether the baby is in the method itself or just after it ("with him in it"); not
    when the baby is only the subject of a time clause ("while she slept", "medan hon sov")."""
    sentence = words[hi].sentence
    for k in range(lo, min(hi + 5, len(words))):
        t = words[k]
        if t.sentence != sentence or not t.concepts.intersection(THE_BABY):
            continue
        timed = k > 0 and "while" in words[k - 1].concepts and "baby_subject" in t.concepts
        if not timed:
            return True
    return False


def _framing_before(words: list[Token], hi: int) -> set[str]:
    """Picturing or weighing words anywhere in the sentence before a match, or just after it:
    a scene opened early ("sudden thoughts of heating his bottle ... and burning him") frames
    the whole of it."""
    sentence = words[hi].sentence
    found: set[str] = set()
    for t in words[hi : hi + _REACH + 1]:
        if t.sentence == sentence:
            found |= t.concepts & {"thought", "dwell"}
    j = hi - 1
    while j >= 0 and words[j].sentence == sentence:
        found |= words[j].concepts & {"thought", "dwell"}
        j -= 1
    return found


def _baby_level(rule: Rule, words: list[Token], lo: int, hi: int) -> str:
    book = rules()
    around = _around(words, lo, hi)
    strong = book.concepts("wanted" if rule.accidental else "strong")
    scene = _framing_before(words, hi)
    if "dwell" in scene:  # "thinking about hurting her on purpose" weighs the act
        pass
    elif "thought" in scene:  # a pictured scene: what happens inside it is not intent
        strong = strong - book.concepts("pictured_only")
    elif "fear" in around and "did" not in around:  # "scared I'll drop him on purpose"
        strong = strong - {"on_purpose"}
    if around & strong:
        return DANGER
    framing = book.concepts("framing")
    if rule.accidental:  # thinking of an accident frames it too
        framing |= {"think"}
    framed = any(t.concepts & framing for t in words)
    return UNWANTED if framed else DANGER
