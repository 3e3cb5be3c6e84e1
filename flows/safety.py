"""Crisis signals in free text, English and Swedish, read by meaning; errs on the side of help.

Two levels, as in PRODUCT.md: ``danger`` (intent or plans to harm oneself or the baby, wishing
to be dead, feeling out of control, signs of postpartum psychosis) and ``unwanted_thoughts``
(sudden frightening thoughts of harm coming to the baby that the parent does not want).

How a text is read (docs/safety.md explains each concept and rule):

1. ``flows.splitting`` splits it into sentences, clauses and words; ``flows.concept_tagging``
   tags each word with the concepts it carries in either language (``i``, ``baby``, ``harm``,
   ``wish``, ``death``, ``fear``, ...) from the lexicons (``flows.lexicon``), comparing
   Snowball stems, so inflections, pronouns and both languages in one message are read alike.
   Figures of speech ("teething is killing me", "kastar upp") are removed first.
2. Local readings (``flows.crisis_aims``, then ``flows.crisis_neighbours``): a harm word
   aimed at a thing or another adult ("hurt my back", "could kill my husband") is dropped,
   one aimed at a body part belongs to whoever owns it ("her finger" is the baby, "my arm"
   self-harm), one done by an older sibling is not the parent's; a wish in the scope of a
   negation ("don't want to hurt him") stops being a wish and becomes a sign the parent
   refrains, unless a subject stands between them ("when she wouldn't stop I wanted to"). A
   decision, a plan or a goodbye with nothing named after it is bare ("I've decided.", "I'm
   done."): what it is about is left unsaid.
3. The rules (data: ``flows/lexicons/rules.toml``, read by ``flows.crisis_rules``) combine
   concepts found near each other in one sentence, in any order (SELF + HARM, WISH + DEATH,
   I + CEASE, PLACE + MOVE + WISH, SLEEPLESS + DAYS, VOICES + HEAR, ...); a few read across a
   sentence end, where chat breaks a thought into fragments (``flows.crisis_match`` finds them).
4. Harm to the baby takes its level from the words around it: a wish, a plan, "on purpose", a
   deed already done or a loss of control make it danger; fear, an unwanted thought, "would
   never" or "by accident" make it an unwanted thought; with neither it is danger. Inside a
   pictured scene ("a picture of me tripping on purpose") "on purpose" belongs to the
   picture. A method with the baby in the sentence is read the same way. Negation and fear
   only choose the level: they never silence a signal (``flows.crisis_match``).
5. When no rule fires, a second reader (``flows.crisis_model``, a linear model over n-grams
   learned from the same corpora) answers when its crisis probability reaches its threshold,
   and chooses the level with its own level model. It catches paraphrases the rules' lists
   do not hold; the rules stay the readable reader and decide the level whenever they fire.

Every step is linear in the length of the text (see ``flows.splitting``,
``flows.concept_tagging``, ``flows.ngrams``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from flows import crisis_model
from flows.concept_tagging import Token, add_phrases, dominant, tokens
from flows.crisis_aims import aim_harm
from flows.crisis_match import level_of, matches
from flows.crisis_neighbours import read_neighbours
from flows.crisis_rules import DANGER, UNWANTED
from flows.model import SAFETY_LEVELS
from flows.splitting import fold

__all__ = [
    "SECOND_READER",
    "Finding",
    "concepts",
    "detect_by_rules",
    "detect_crisis",
    "explain",
    "fold",
    "higher",
    "prepare",
]


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired, the level it gave, and the words it read; or the second reader,
    with its probability and the n-grams that weighed most."""

    rule: str
    level: str
    words: tuple[str, ...]
    probability: float | None = None  # the second reader's crisis probability


#: The name of the second reader's findings in `explain`.
SECOND_READER: Final = "second reader"


def detect_crisis(text: str) -> str | None:
    """The safety level a text calls for, or None.

    The rules decide whenever they fire; otherwise the second reader (``flows.crisis_model``)
    answers when its crisis probability reaches its threshold, with its own level.
    """
    return detect_by_rules(text) or crisis_model.detect(text)


def prepare() -> None:
    """Load what reading needs now (the lexicons, both stemmers, the second reader's model),
    not at the first parent's message: a bot calls this as it starts. A greeting in both
    languages goes through every step and fires nothing."""
    detect_crisis("Hej! Hello.")


def detect_by_rules(text: str) -> str | None:
    """The level the rules alone give a text, or None."""
    levels = {finding.level for finding in _rule_findings(_read(text))}
    return DANGER if DANGER in levels else (UNWANTED if levels else None)


def higher(a: str, b: str) -> str:
    """The more urgent of two safety levels."""
    return max(a, b, key=SAFETY_LEVELS.index)


def concepts(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each word of the text with the concepts it carries there (for tests and the doc)."""
    return [(t.word.folded, frozenset(t.concepts)) for t in _read(text)]


def explain(text: str) -> list[Finding]:
    """Every rule that fires on the text, with its level; when none does and the second
    reader answers, its finding: probability, level and the n-grams behind it."""
    found = _rule_findings(_read(text))
    reading = None if found else crisis_model.read(text)
    if reading and reading.level:
        m = crisis_model.model()
        note = (
            f"{SECOND_READER}: crisis p={reading.probability:.2f} (answers from "
            f"{m.threshold:.2f}), danger p={reading.danger_probability:.2f}"
        )
        strongest = crisis_model.strongest(text, reading.sentences)
        words = tuple(f"{gram} {share:+.2f}" for gram, share in strongest)
        found.append(Finding(note, reading.level, words, reading.probability))
    return found


def _rule_findings(words: list[Token]) -> list[Finding]:
    found = []
    for rule, lo, hi in matches(words):
        read = tuple(t.word.folded for t in words[lo : hi + 1])
        found.append(Finding(rule.name, level_of(rule, words, lo, hi), read))
    return found


def _read(text: str) -> list[Token]:
    """The words of a text, tagged with their concepts and read in place (steps 1 and 2)."""
    words = tokens(text)
    language = dominant(words)
    for token in words:
        for concept, needed in token.guarded.items():
            if language in (None, needed):
                token.concepts.add(concept)
    add_phrases(words)
    aim_harm(words)
    read_neighbours(words)
    return words
