"""What the neighbours of a word in its clause say about it: negation and refraining, self-harm
named by its object, and bare decisions whose object is left unsaid. The second local reading
of a message's words, after ``flows.crisis_aims`` (`read_neighbours` says what it reads).
"""

from __future__ import annotations

from typing import Final

from flows.concept_tagging import Token
from flows.crisis_aims import THE_BABY

#: Who can stand between a negation and the word it would negate: "when she wouldn't stop I
#: wanted to" is a wish, the negation belongs to the clause before.
_SUBJECTS: Final = frozenset({"i", "baby_subject", "adult"})
#: A decision, a plan of how, a going, being done, no way out: bare when nothing is named
#: after them ("I'm done.", but not "I'm done with expressing").
_BARE: Final = {
    "plan": "bare_plan",
    "plan_how": "bare_how",
    "vanish": "bare_go",
    "done": "bare_done",
    "no_way": "bare_no_way",
    "dye": "death",  # "i wnat to dye", not "dye my hair"
    "happen": "do_it",  # "it's happening this weekend", not "something will happen to him"
    "have_plan": "bare_have_plan",  # "I have a plan.", not "I have a plan for the weekend"
    "wait_bare": "bare_wait",  # "wait until everyone's asleep tonight", not "... and eat"
}
#: What may follow a bare decision: the rest of its phrase, little words, "I'll do it".
_UNSAID: Final = frozenset(
    {"plan", "plan_how", "vanish", "done", "no_way", "happen", "have_plan", "wait_bare"}
    | {"filler", "i"}
    | {"intent", "adverb"}
    | {"do_verb", "it", "all", "now", "later", "brief", "days", "waiting", "until"}
)
#: A time said after a bare word leaves it bare, whatever else its words carry ("until
#: everyone's asleep tonight").
_WHEN: Final = frozenset({"now", "later"})
#: The concepts this reading adds that no lexicon carries (the rules may need them).
DERIVED: Final = frozenset(
    {"selfharm_self", "selfharm_me", "skin_bare", "wish_not", "refrain", *_BARE.values()}
)


def read_neighbours(words: list[Token]) -> None:
    """Read words by their neighbours in the clause.

    A decision, a plan of how or a going with nothing named after it in the clause ("I've
    decided.", "planerat hur jag ska göra", "made up my mind to go") is bare: what it is about
    is left unsaid. Letting go with nothing after it, and no baby in the sentence ("I think
    about just letting go"), is giving up on living.
    A negated wish is no wish, nor one disowned ("it's not that I want to"); a negation
    just before a harm word means refraining; a deed
    after "what if" is imagined, not done; a harm word followed by oneself ("skära mig",
    "hurt myself") is self-harm, and cutting or burning with nothing after it but "again"
    ("I've been cutting again") is too.
    """
    unsaid_after = _unsaid_after(words)
    with_baby = {t.sentence for t in words if t.concepts.intersection(THE_BABY)}
    for i, token in enumerate(words):
        if unsaid_after[i]:
            for concept, bare in _BARE.items():
                if concept in token.concepts:
                    token.concepts.add(bare)
            if "let_go" in token.concepts and token.sentence not in with_baby:
                token.concepts.add("cease")
        if "selfharm" in token.concepts:
            after = _object_of(words, i)
            if after is not None and "reflexive" in after.concepts:
                token.concepts.add("selfharm_self")
            elif after is not None and "me_obj" in after.concepts:
                token.concepts.add("selfharm_me")
            if "skin" in token.concepts and (after is None or "habit" in after.concepts):
                token.concepts.add("skin_bare")
        if "did" in token.concepts and _negated(words, i, 4, 0, "hypothetical"):
            token.concepts.discard("did")
        if "wish" in token.concepts and (
            _negation_before(words, i, 3, only_adverbs=True)
            or _negated(words, i, 0, 2, "neg_after")
            or _negated_after_subject(words, i)
            or _negated(words, i, 4, 0, "disown")
        ):
            token.concepts.discard("wish")
            if not _wanted_by_another(words, i):  # "när hon inte vill äta" is the baby's
                token.concepts.add("wish_not")
        if token.concepts.intersection(("harm", "act", "drop")) and _negation_before(words, i, 4):
            token.concepts.add("refrain")


def _unsaid_after(words: list[Token]) -> list[bool]:
    """For each word, whether nothing but little words follows it in its clause ("I've
    decided."), or before a condition ("tonight if nobody comes"): one pass from the end, so
    a long clause costs no more than its length."""
    out = [True] * len(words)
    for i in range(len(words) - 2, -1, -1):
        after = words[i + 1]
        if after.clause == words[i].clause and "cond" not in after.concepts:
            little = after.concepts <= _UNSAID or bool(after.concepts & _WHEN)
            out[i] = bool(after.concepts) and little and out[i + 1]
    return out


def _wanted_by_another(words: list[Token], i: int) -> bool:
    """Whether the subject just before a negated wish is the baby or another grown-up ("when
    she won't feed", "när hon inte vill äta"), not the parent."""
    clause = words[i].clause
    for t in words[max(0, i - 3) : i][::-1]:
        if t.clause != clause or "i" in t.concepts:
            return False
        if t.concepts & {"baby_subject", "adult", "sibling"}:
            return True
    return False


def _negated_after_subject(words: list[Token], i: int) -> bool:
    """Whether a Swedish negation follows the wish past its subject and adverbs ("det vill
    jag ju inte")."""
    clause = words[i].clause
    for t in words[i + 1 : i + 4]:
        if t.clause != clause:
            return False
        if "neg_after" in t.concepts:
            return True
        if not t.concepts & {"i", "adverb"}:
            return False
    return False


def _negated(words: list[Token], i: int, before: int, after: int, by: str = "neg") -> bool:
    clause = words[i].clause
    span = words[max(0, i - before) : i + after + 1]
    return any(by in t.concepts and t.clause == clause for t in span if t is not words[i])


def _negation_before(words: list[Token], i: int, reach: int, only_adverbs: bool = False) -> bool:
    """Whether a negation stands shortly before word i and belongs to it.

    Not when a subject stands between them ("when she wouldn't stop I wanted to"), nor when
    the subject comes just after the word, as in a Swedish main clause after a subordinate
    one ("när hon inte slutade ville jag"), whose own negation would follow the subject.
    With `only_adverbs`, nothing but adverbs may stand between ("don't really want", but not
    "can't think wanna die", where the negation has its own verb).
    """
    clause = words[i].clause
    if i + 1 < len(words) and words[i + 1].clause == clause and "i" in words[i + 1].concepts:
        return False
    for j in range(i - 1, max(-1, i - reach - 1), -1):
        between = words[j].concepts
        if words[j].clause != clause:
            return False
        if "neg" in between:
            return True
        if between & _SUBJECTS or (only_adverbs and "adverb" not in between):
            return False
    return False


def _object_of(words: list[Token], i: int) -> Token | None:
    """The word just after word i in its clause, past the rest of its phrase and a subject
    pronoun put after the verb ("skär jag mig")."""
    j = i + 1
    while j < len(words) and "selfharm" in words[j].concepts and j - i < 4:
        j += 1
    if j < len(words) and "i" in words[j].concepts and "reflexive" not in words[j].concepts:
        j += 1
    return words[j] if j < len(words) and words[j].clause == words[i].clause else None
