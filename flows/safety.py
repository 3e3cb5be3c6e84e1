"""Crisis signals in free text, English and Swedish, read by meaning; errs on the side of help.

Two levels, as in PRODUCT.md: ``danger`` (intent or plans to harm oneself or the baby, wishing
to be dead, feeling out of control, signs of postpartum psychosis) and ``unwanted_thoughts``
(sudden frightening thoughts of harm coming to the baby that the parent does not want).

How a text is read (docs/safety.md explains each concept and rule):

1. ``flows.lexicon`` splits it into sentences, clauses and words and tags each word with the
   concepts it carries in either language (``i``, ``baby``, ``harm``, ``wish``, ``death``,
   ``fear``, ...), comparing Snowball stems, so inflections, pronouns and both languages in one
   message are read alike. Figures of speech ("teething is killing me", "kastar upp") are
   removed first.
2. Local readings: a harm word aimed at a thing or another adult ("hurt my back", "could kill
   my husband") is dropped; a wish in the scope of a negation ("don't want to hurt him") stops
   being a wish and becomes a sign the parent refrains.
3. ``RULES`` combine concepts found near each other in one sentence, in any order (SELF + HARM,
   WISH + DEATH, METHOD + MOVE + WISH, SLEEPLESS + DAYS, VOICES + HEAR, ...).
4. Harm to the baby takes its level from the words around it: a wish, a plan, "on purpose", a
   deed already done or a loss of control make it danger; fear, an unwanted thought, "would
   never" or "by accident" make it an unwanted thought; with neither it is danger. Negation
   and fear only choose the level: they never silence a signal.

Every step is linear in the length of the text (see ``flows.lexicon``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from flows.lexicon import Token, add_phrases, dominant, fold, tokens
from flows.model import SAFETY_LEVELS

__all__ = ["RULES", "Finding", "Rule", "concepts", "detect_crisis", "explain", "fold", "higher"]

DANGER: Final = "danger"
UNWANTED: Final = "unwanted_thoughts"
#: A rule about harm to the baby: its level is read from the words around it.
BABY: Final = "baby"

#: Who or what an act is aimed at when it is not the baby (read just after a harm word).
_NOT_THE_BABY: Final = frozenset({"thing", "adult"})
_HARM_WORDS: Final = ("harm", "act", "drop", "selfharm", "did")
#: Signs of intent that fear does not soften, when near harm to the baby.
_STRONG: Final = frozenset({"wish", "plan", "on_purpose", "did", "almost", "control"})
#: For dropping the baby or the baby dying, only a wish or a plan is intent (not "nearly").
_WANTED: Final = frozenset({"wish", "plan", "on_purpose"})
#: How far from a harm to the baby a sign of intent is read (words, same sentence).
_REACH: Final = 8
#: Signs that a harm thought is unwanted and frightening.
_FRAMING: Final = frozenset(
    {"fear", "thought", "intrusive", "accident", "refrain", "wish_not", "dark", "mishap"}
)
#: Someone doing, wanting or fearing the act: without one of these a harm word and a
#: pronoun are just two words ("teething hurts him").
_AGENT: Final = (
    "i", "wish", "intent", "plan", "think", "urge", "almost", "on_purpose", "did", "fear",
    "thought", "refrain", "wish_not", "control",
)  # fmt: skip
_INTENT: Final = ("wish", "intent", "plan", "think", "on_purpose")
#: Picturing or fearing it: how a parent speaks of harm they do not want.
_PICTURED: Final = ("thought", "fear", "think")
_BABY: Final = ("baby", "baby_subject")
#: Not waking up is a wish to be dead when wished, or said of sleep or forever.
_ASLEEP: Final = ("wish", "wish_not", "sleep", "forever", "better_off")


@dataclass(frozen=True, slots=True)
class Rule:
    """Concepts that together are a crisis signal: one of each group, within `window` words."""

    name: str
    level: str  # "danger", "unwanted_thoughts", or BABY: read from the words around it
    needs: tuple[tuple[str, ...], ...]
    window: int = 6
    unless: tuple[str, ...] = ()  # none of these within three words of the match


def _rule(
    name: str,
    level: str,
    *needs: str | tuple[str, ...],
    window: int = 6,
    unless: tuple[str, ...] = (),
) -> Rule:
    groups = tuple((n,) if isinstance(n, str) else n for n in needs)
    return Rule(name, level, groups, window, unless)


#: The rules, most of them danger. Each is explained in docs/safety.md.
RULES: Final = (
    # Wishing to be dead, ending one's life, harming oneself
    _rule("suicide named", DANGER, "suicide"),
    _rule("harming oneself", DANGER, "selfharm_self"),
    _rule(
        "harming oneself (sv mig)",
        DANGER,
        "selfharm_me",
        ("i", *_INTENT),
        window=5,
        unless=("adult",),
    ),  # "mamma skulle döda mig" is a figure of speech
    _rule("wish to die", DANGER, "wish", "death", unless=_BABY),
    _rule("not wanting to live", DANGER, "neg", "live", window=4),
    _rule("no point in living", DANGER, "pointless", ("live", "life")),
    _rule("why live", DANGER, "why", ("live", "life"), window=5),
    _rule("no reason to go on", DANGER, "pointless", "cope", window=5),
    _rule("tired of life", DANGER, "tired_of", ("live", "life"), window=4),
    _rule("never waking up", DANGER, "wake", "neg", _ASLEEP, window=8, unless=_BABY),
    _rule("sleeping forever", DANGER, "sleep", "forever", ("wish", "i")),
    _rule("wish to be gone", DANGER, "wish", "gone", window=3),
    _rule("vanishing for good", DANGER, "vanish", ("forever", "without_me"), window=5),
    _rule("better off without me", DANGER, "better_off", "without_me"),
    _rule("better off dead", DANGER, "better_off", "death", window=4),
    _rule("nobody would miss me", DANGER, "miss_me", "neg", window=4),
    _rule("saying goodbye", DANGER, "goodbye"),
    _rule("how to die", DANGER, "how", "death", window=4, unless=_BABY),
    _rule("ending it all", DANGER, "end", "all", _INTENT),
    _rule("cannot go on", DANGER, "cope", "neg", "anymore", window=5),
    _rule("cannot go on at all", DANGER, "go_on", "neg", window=3),
    _rule("not safe", DANGER, "safe", "neg", "i", window=3),
    _rule("not safe with myself", DANGER, "safe", "neg", "reflexive", window=5),
    _rule("a danger to", DANGER, "danger_to", "i"),
    _rule("cannot trust myself", DANGER, "trust", "neg", ("reflexive", "me_obj"), window=5),
    _rule("losing control", DANGER, "control", "i"),
    # Methods named without the word suicide
    _rule("method", DANGER, "move", "place", (*_INTENT, "urge"), window=8),
    _rule("jumping", DANGER, "jump", (*_INTENT, "urge"), unless=_BABY),
    _rule("crashing the car", DANGER, "crash", _INTENT),
    _rule("gathering pills", DANGER, "pills", "hoard"),
    _rule("all the pills", DANGER, "pills", "all_pills", (*_INTENT, "death"), window=8),
    _rule("a lethal dose", DANGER, "pills", ("lethal", "death"), window=8),
    _rule("cutting wrists", DANGER, "blade", "wrist"),
    _rule("hit by a vehicle", DANGER, "wish", "hit_me", window=8),
    _rule("hanging", DANGER, "rope"),
    # Postpartum psychosis
    _rule("hearing voices", DANGER, "voices", "perceive"),
    _rule("seeing things", DANGER, "not_there", "perceive", "figure", window=10),
    _rule("odd belief", DANGER, "belief", (*_BABY, "odd_agent"), window=8, unless=("joke",)),
    _rule("no sleep for days", DANGER, "sleep", "neg", "days", unless=("partial", *_BABY)),
    _rule("awake for days", DANGER, "awake", "days", unless=("partial", *_BABY)),
    _rule("sleepless and strange", DANGER, ("sleep", "awake"), "days", "unreal", window=14),
    _rule("losing touch with reality", DANGER, "lost_reality", "neg", window=5),
    # Harm to the baby: danger or an unwanted thought, read from the words around it
    _rule("harm to the baby", BABY, "harm", ("baby", "you"), _AGENT),
    _rule("rough act on the baby", BABY, "act", ("baby", "you"), _AGENT),
    _rule("picturing harm to the baby", BABY, ("harm", "act"), "baby_subject", _PICTURED),
    _rule("dropping the baby", BABY, "drop", _BABY, (*_INTENT, *_PICTURED, "accident"), window=8),
    _rule("the baby dying", BABY, "death", _BABY, ("wish", *_PICTURED)),
    # Unwanted thoughts named as such
    _rule("intrusive thoughts", UNWANTED, "intrusive"),
    _rule("dark thoughts", UNWANTED, "thought", "dark", window=3),
    _rule("thoughts of something happening", UNWANTED, ("thought", "fear"), "mishap", window=8),
    _rule("thoughts of dangers to the baby", UNWANTED, "thought", "peril", _BABY, window=10),
    _rule("afraid of one's thoughts", UNWANTED, "fear", "thought", ("baby", "peril"), window=10),
)


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired, the level it gave, and the words it read."""

    rule: str
    level: str
    words: tuple[str, ...]


def detect_crisis(text: str) -> str | None:
    """The safety level a text calls for, or None."""
    levels = {finding.level for finding in explain(text)}
    return DANGER if DANGER in levels else (UNWANTED if levels else None)


def higher(a: str, b: str) -> str:
    """The more urgent of two safety levels."""
    return max(a, b, key=SAFETY_LEVELS.index)


def concepts(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each word of the text with the concepts it carries there (for tests and the doc)."""
    return [(t.word.folded, frozenset(t.concepts)) for t in _read(text)]


def explain(text: str) -> list[Finding]:
    """Every rule that fires on the text, with its level."""
    words = _read(text)
    return [_finding(rule, words, lo, hi) for rule, lo, hi in _matches(words)]


def _read(text: str) -> list[Token]:
    words = tokens(text)
    language = dominant(words)
    for token in words:
        for concept, needed in token.guarded.items():
            if language in (None, needed):
                token.concepts.add(concept)
    _aim_harm(words)
    add_phrases(words)
    _read_negation(words)
    return words


def _aim_harm(words: list[Token]) -> None:
    """Drop harm words aimed at a thing or an adult, and deaths of things or adults."""
    for i, token in enumerate(words):
        if token.concepts.intersection(_HARM_WORDS) and _aimed_elsewhere(words, i, 1):
            token.concepts.difference_update(_HARM_WORDS)
        if "death" in token.concepts and _aimed_elsewhere(words, i, -1):
            token.concepts.discard("death")


def _aimed_elsewhere(words: list[Token], i: int, step: int) -> bool:
    """Whether the first word past the little ones (my, the, min) is a thing or a grown-up.

    Only that one word: "suffocate her with a blanket" is aimed at her, not the blanket.
    """
    j = i + step
    while 0 <= j < len(words) and words[j].clause == words[i].clause:
        if words[j].concepts & _NOT_THE_BABY:
            return True
        if "filler" not in words[j].concepts or "instrument" in words[j].concepts:
            return False
        j += step
    return False


def _read_negation(words: list[Token]) -> None:
    """Read words by their neighbours in the clause.

    A negated wish is no wish; a negation just before a harm word means refraining; a deed
    after "what if" is imagined, not done; a harm word followed by oneself ("skära mig",
    "hurt myself") is self-harm.
    """
    for i, token in enumerate(words):
        if "selfharm" in token.concepts:
            after = _object_of(words, i)
            if after is not None and "reflexive" in after.concepts:
                token.concepts.add("selfharm_self")
            elif after is not None and "me_obj" in after.concepts:
                token.concepts.add("selfharm_me")
        if "did" in token.concepts and _negated(words, i, 4, 0, "hypothetical"):
            token.concepts.discard("did")
        if "wish" in token.concepts and (
            _negated(words, i, 3, 0) or _negated(words, i, 0, 2, "neg_after")
        ):
            token.concepts.discard("wish")
            token.concepts.add("wish_not")
        if token.concepts.intersection(("harm", "act", "drop")) and _negated(words, i, 4, 0):
            token.concepts.add("refrain")


def _negated(words: list[Token], i: int, before: int, after: int, by: str = "neg") -> bool:
    clause = words[i].clause
    span = words[max(0, i - before) : i + after + 1]
    return any(by in t.concepts and t.clause == clause for t in span if t is not words[i])


def _object_of(words: list[Token], i: int) -> Token | None:
    """The word just after word i in its clause, past the rest of its phrase and a subject
    pronoun put after the verb ("skär jag mig")."""
    j = i + 1
    while j < len(words) and "selfharm" in words[j].concepts and j - i < 4:
        j += 1
    if j < len(words) and "i" in words[j].concepts and "reflexive" not in words[j].concepts:
        j += 1
    return words[j] if j < len(words) and words[j].clause == words[i].clause else None


_BY_CONCEPT: Final[dict[str, list[Rule]]] = {}
for _rule_ in RULES:
    for _concept in {c for group in _rule_.needs for c in group}:
        _BY_CONCEPT.setdefault(_concept, []).append(_rule_)


def _matches(words: list[Token]) -> Iterable[tuple[Rule, int, int]]:
    """Each rule's match as (rule, first word, last word), at most once per rule.

    One pass: the last place each concept was seen in the sentence is kept, and when a word
    brings a concept, only the rules that need it are checked, each against those places.
    """
    last: dict[str, int] = {}
    sentence = -1
    fired: set[Rule] = set()
    for p, token in enumerate(words):
        if token.sentence != sentence:
            last.clear()
            sentence = token.sentence
        for concept in token.concepts:
            last[concept] = p
        candidates = {rule for c in token.concepts for rule in _BY_CONCEPT.get(c, ())}
        for rule in candidates - fired:
            lo = _earliest(rule, last, p)
            if lo is not None and not _blocked(rule, words, lo, p):
                fired.add(rule)
                yield rule, lo, p


def _earliest(rule: Rule, last: dict[str, int], p: int) -> int | None:
    """The first word of the closest match ending at word p, or None if a group is missing."""
    lo = p
    for group in rule.needs:
        seen = max([last.get(c, -1) for c in group])
        if seen < 0 or seen < p - rule.window:
            return None
        lo = min(lo, seen)
    return lo


def _blocked(rule: Rule, words: list[Token], lo: int, hi: int) -> bool:
    if not rule.unless:
        return False
    sentence = words[hi].sentence
    near = words[max(0, lo - 3) : hi + 4]
    return any(t.sentence == sentence and t.concepts.intersection(rule.unless) for t in near)


def _finding(rule: Rule, words: list[Token], lo: int, hi: int) -> Finding:
    level = rule.level if rule.level != BABY else _baby_level(rule, words, lo, hi)
    return Finding(rule.name, level, tuple(t.word.folded for t in words[lo : hi + 1]))


def _baby_level(rule: Rule, words: list[Token], lo: int, hi: int) -> str:
    sentence = words[hi].sentence
    around: set[str] = set()
    for t in words[max(0, lo - _REACH) : hi + _REACH + 1]:
        if t.sentence == sentence:
            around |= t.concepts
    accidental = rule.needs[0] in (("drop",), ("death",))
    if around & (_WANTED if accidental else _STRONG):
        return DANGER
    framing = _FRAMING | {"think"} if accidental else _FRAMING
    framed = any(t.concepts & framing for t in words)
    return UNWANTED if framed else DANGER
