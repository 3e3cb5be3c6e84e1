"""At whom a harm word of a message is aimed, and whose act or death it is: the first local
reading of the words, after the lexicons have tagged them and before the rules read them
(``flows.safety`` runs the readings in order; `aim_harm` says what this one reads).
"""

from __future__ import annotations

from typing import Final

from flows.concept_tagging import Token

#: The concepts that name the baby: as the object of an act, or as a subject.
THE_BABY: Final = ("baby", "baby_subject")
#: The concepts this reading adds that no lexicon carries (the rules may need them).
DERIVED: Final = frozenset({"selfharm_body", "act_on_self", "skin_body", "death_other"})

#: Who or what an act is aimed at when it is not the baby (read just after a harm word).
_NOT_THE_BABY: Final = frozenset({"thing", "it", "adult"})
_HARM_WORDS: Final = ("harm", "act", "drop", "selfharm", "did")
#: Harm words that carry harm to someone else (self-harm stays when the target is one's body).
_HARM_TO_OTHERS: Final = ("harm", "act", "drop", "did")
#: How far back the subject of an act is looked for in its sentence.
_SUBJECT_REACH: Final = 10


def aim_harm(words: list[Token]) -> None:
    """Read at whom each harm word is aimed, and whose death a death word is.

    Aimed at a thing or a grown-up, a harm word carries nothing ("hurt my back", "drop the
    bottle"). Aimed at a body part, it is aimed at whoever owns the body: the baby after his,
    her, hans, hennes ("snipping her finger"); otherwise the parent, which is self-harm only
    ("burn my arm", "bränner armen"). Done by an older sibling ("my toddler keeps hitting
    the baby", "my eldest is jealous, she pinches the baby") or by a thing just before it
    ("her jabs hurt her", "the baby blues hit"), it is not the parent's act. A death after a
    thing or a grown-up ("my phone died", "mormor dog", "mum passed away") is not the parent's.
    Breaking or twisting is harm only when aimed at a body part ("break his arm").
    """
    elsewhere: set[int] = set()  # death words found to be someone else's
    for i, token in enumerate(words):
        if "body" in token.concepts and _owned_by_baby(words, i):
            token.concepts.add("baby")
        if "breaks" in token.concepts and _by_the_parent(words, i):
            j = _target(words, i)  # "break his arm" is harm, "break the news" is not
            if j is not None and "body" in words[j].concepts:
                token.concepts.add("harm")
        if token.concepts.intersection(_HARM_WORDS):
            j = _target(words, i)
            target = words[j].concepts if j is not None else set()
            brought = "act" in token.concepts and j is not None and _brought_on_baby(words, j)
            if target & _NOT_THE_BABY and not brought:
                token.concepts.difference_update(_HARM_WORDS)
            elif j is not None and "body" in target:
                if _owned_by_baby(words, j):
                    token.concepts.discard("selfharm")
                else:  # one's own body: a rough act on it is self-harm only if meant
                    meant = "selfharm" in token.concepts
                    token.concepts.difference_update(_HARM_TO_OTHERS)
                    token.concepts.add("selfharm_body" if meant else "act_on_self")
                    if "skin" in token.concepts:
                        token.concepts.add("skin_body")
            if _done_by_another(words, i):
                token.concepts.difference_update(_HARM_TO_OTHERS)
        if "death" in token.concepts and (
            _aimed_elsewhere(words, i, -1) or (i > 0 and i - 1 in elsewhere)
        ):  # the rest of a phrase goes with its first word: "mum passed away"
            token.concepts.discard("death")
            token.concepts.add("death_other")
            elsewhere.add(i)


def _target(words: list[Token], i: int) -> int | None:
    """The first word after word i in its clause past the little ones (my, the, min), or None.

    Only that one word: "suffocate her with a blanket" is aimed at her, not the blanket.
    """
    j = i + 1
    while j < len(words) and words[j].clause == words[i].clause:
        concepts = words[j].concepts
        if concepts & _NOT_THE_BABY or "body" in concepts:
            return j
        if "filler" not in concepts or "instrument" in concepts:
            return None
        j += 1
    return None


def _aimed_elsewhere(words: list[Token], i: int, step: int) -> bool:
    """Whether the first word past the little ones, in direction `step`, is a thing or an adult."""
    j = i + step
    while 0 <= j < len(words) and words[j].clause == words[i].clause:
        if words[j].concepts & _NOT_THE_BABY:
            return True
        if "filler" not in words[j].concepts or "instrument" in words[j].concepts:
            return False
        j += step
    return False


def _brought_on_baby(words: list[Token], thing: int) -> bool:
    """Whether the thing at word `thing` is brought down on the baby by a rough act ("slamming
    the car door on her fingers", "smälla igen bildörren på hennes fingrar")."""
    clause = words[thing].clause
    after = [t for t in words[thing + 1 : thing + 6] if t.clause == clause]
    for k, t in enumerate(after[:3]):
        if "onto" in t.concepts:
            return any(
                u.concepts.intersection(THE_BABY) or "theirs" in u.concepts
                for u in after[k + 1 : k + 3]
            )
    return False


def _owned_by_baby(words: list[Token], body: int) -> bool:
    """Whether the body part at word `body` follows his, her, hans or hennes, or is followed
    by Swedish "på" and the baby ("armen på honom")."""
    clause = words[body].clause
    before = words[body - 1] if body > 0 else None
    if before is not None and "theirs" in before.concepts and before.clause == clause:
        return True
    after = words[body + 1 : body + 3]
    return (
        len(after) == 2
        and all(t.clause == clause for t in after)
        and "owner_of" in after[0].concepts
        and bool(after[1].concepts.intersection(THE_BABY))
    )


def _by_the_parent(words: list[Token], i: int) -> bool:
    """Whether the nearest subject before word i in its clause is the parent ("I'll break his
    arm"), not the baby ("he'll break his arm on the trampoline")."""
    clause = words[i].clause
    for j in range(i - 1, max(-1, i - _SUBJECT_REACH - 1), -1):
        if words[j].clause != clause:
            return False
        if "i" in words[j].concepts:
            return True
        if words[j].concepts & {"baby_subject", "adult", "sibling"}:
            return False
    return False


def _done_by_another(words: list[Token], i: int) -> bool:
    """Whether an older sibling is the subject of the act at word i, with no "I" between
    ("my eldest is so jealous, she pinches the baby"), or a thing stands just before it
    ("her jabs hurt her")."""
    sentence = words[i].sentence
    just_before = True
    for j in range(i - 1, max(-1, i - _SUBJECT_REACH - 1), -1):
        concepts = words[j].concepts
        if words[j].sentence != sentence or "i" in concepts:
            return False
        if "sibling" in concepts or (just_before and "thing" in concepts):
            return True
        just_before = just_before and "filler" in concepts
    return False
