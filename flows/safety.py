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
2. Local readings: a harm word aimed at a thing or another adult ("hurt my back", "could kill
   my husband") is dropped, one aimed at a body part belongs to whoever owns it ("her
   finger" is the baby, "my arm" self-harm), one done by an older sibling is not the
   parent's; a wish in the scope of a negation ("don't want to hurt him") stops being a wish
   and becomes a sign the parent refrains, unless a subject stands between them ("when she
   wouldn't stop I wanted to"). A decision, a plan or a goodbye with nothing named after it
   is bare ("I've decided.", "I'm done."): what it is about is left unsaid.
3. ``RULES`` combine concepts found near each other in one sentence, in any order (SELF + HARM,
   WISH + DEATH, I + CEASE, PLACE + MOVE + WISH, SLEEPLESS + DAYS, VOICES + HEAR, ...); a
   few read across a sentence end, where chat breaks a thought into fragments.
4. Harm to the baby takes its level from the words around it: a wish, a plan, "on purpose", a
   deed already done or a loss of control make it danger; fear, an unwanted thought, "would
   never" or "by accident" make it an unwanted thought; with neither it is danger. Inside a
   pictured scene ("a picture of me tripping on purpose") "on purpose" belongs to the
   picture. A method with the baby in the sentence is read the same way. Negation and fear
   only choose the level: they never silence a signal.

5. When no rule fires, a second reader (``flows.crisis_model``, a linear model over n-grams
   learned from the same corpora) answers when its crisis probability reaches its threshold,
   and chooses the level with its own level model. It catches paraphrases the rules' lists
   do not hold; the rules stay the readable reader and decide the level whenever they fire.

Every step is linear in the length of the text (see ``flows.splitting``,
``flows.concept_tagging``, ``flows.ngrams``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from flows import crisis_model
from flows.concept_tagging import Token, add_phrases, dominant, tokens
from flows.model import SAFETY_LEVELS
from flows.splitting import fold

__all__ = [
    "RULES",
    "SECOND_READER",
    "Finding",
    "Rule",
    "concepts",
    "detect_by_rules",
    "detect_crisis",
    "explain",
    "fold",
    "higher",
]

DANGER: Final = "danger"
UNWANTED: Final = "unwanted_thoughts"
#: A rule about harm to the baby: its level is read from the words around it.
BABY: Final = "baby"
#: A method of ending one's life: danger, unless the baby is in the sentence, where it is read
#: like harm to the baby ("I keep picturing the car crashing with him in it" is an unwanted
#: thought; "I think about driving into the river with her" is danger).
METHOD: Final = "method"

#: Who or what an act is aimed at when it is not the baby (read just after a harm word).
_NOT_THE_BABY: Final = frozenset({"thing", "it", "adult"})
_HARM_WORDS: Final = ("harm", "act", "drop", "selfharm", "did")
#: Harm words that carry harm to someone else (self-harm stays when the target is one's body).
_HARM_TO_OTHERS: Final = ("harm", "act", "drop", "did")
#: Signs of intent that fear does not soften, when near harm to the baby.
_STRONG: Final = frozenset(
    {"wish", "plan", "on_purpose", "did", "almost", "control", "no_promise", "now", "anger"}
    | {"unbothered", "capable", "acute"}
)
#: Inside a pictured scene ("a picture of me tripping on purpose", "såg mig själv kasta henne
#: i natt") these belong to the picture.
_PICTURED_ONLY: Final = frozenset({"on_purpose", "almost", "now"})
#: For dropping the baby, the baby falling or dying, only a wish or a plan is intent.
_WANTED_WORDS: Final = ("wish", "plan", "on_purpose", "anger", "unbothered")
_WANTED: Final = frozenset(_WANTED_WORDS)
#: How far from a harm to the baby a sign of intent is read (words, same sentence).
_REACH: Final = 8
#: Signs that a harm thought is unwanted and frightening.
_FRAMING: Final = frozenset(
    {"fear", "thought", "intrusive", "accident", "refrain", "wish_not", "dark", "mishap", "never"}
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
#: Who can stand between a negation and the word it would negate: "when she wouldn't stop I
#: wanted to" is a wish, the negation belongs to the clause before.
_SUBJECTS: Final = frozenset({"i", "baby_subject", "adult"})
#: A method, and what makes it one: intent, contemplation, an urge, how easy it would be, a
#: habit of going there, having nearly done it, a partner's "she keeps talking about", or
#: tonight.
_METHOD_SIGNS: Final = (*_INTENT, "wish_not", "urge", "ease", "habit", "almost", "speak_of", "now")
#: The signs of postpartum psychosis that strengthen each other with days without sleep.
_ODD: Final = ("unreal", "belief", "mind_control", "grandiose", "plot")


@dataclass(frozen=True, slots=True)
class Rule:
    """Concepts that together are a crisis signal: one of each group, within `window` words."""

    name: str
    level: str  # "danger", "unwanted_thoughts", BABY or METHOD: read from the words around it
    needs: tuple[tuple[str, ...], ...]
    window: int = 6
    unless: tuple[str, ...] = ()  # none of these within `reach` words of the match
    reach: int = 3
    across: bool = False  # the words may stand in neighbouring sentences ("I'm done. goodbye")


def _rule(
    name: str,
    level: str,
    *needs: str | tuple[str, ...],
    window: int = 6,
    unless: tuple[str, ...] = (),
    reach: int = 3,
    across: bool = False,
) -> Rule:
    groups = tuple((n,) if isinstance(n, str) else n for n in needs)
    return Rule(name, level, groups, window, unless, reach, across)


#: The rules, most of them danger. Each is explained in docs/safety.md.
RULES: Final = (
    # Wishing to be dead, ending one's life, harming oneself
    _rule("suicide named", DANGER, "suicide"),
    _rule("harming oneself", DANGER, "selfharm_self", unless=("chore",), reach=6),
    _rule(
        "harming oneself on purpose",
        DANGER,
        ("selfharm_self", "selfharm_me", "selfharm_body", "act_on_self"),
        "on_purpose",
        window=8,
    ),
    _rule(
        "harming oneself (sv mig)",
        DANGER,
        "selfharm_me",
        ("i", *_INTENT, "habit"),
        window=5,
        unless=("adult", "chore"),
        reach=6,
    ),  # "mamma skulle döda mig" is a figure of speech; "skar mig när jag rakade benen" a mishap
    _rule(
        "harming one's body",
        DANGER,
        "selfharm_body",
        ("wound", "blade", "on_purpose", "wish", "urge"),
        window=8,
        unless=("chore",),
        reach=6,
    ),
    _rule(
        "cutting or burning one's body again",
        DANGER,
        "skin_body",
        "habit",
        window=8,
        unless=("chore",),
        reach=6,
    ),
    _rule(
        "cutting again",
        DANGER,
        "skin_bare",
        "habit",
        window=4,
        unless=(*_BABY, "adult", "sibling", "body"),
    ),
    _rule("wish to die", DANGER, "wish", "death", unless=_BABY),
    _rule("not wanting to live", DANGER, "neg", "live", window=6),
    _rule("not wanting to be alive", DANGER, "wish_not", "live", window=4),
    _rule("not wanting to be in the world", DANGER, "wish_not", "world", window=8),
    _rule("unsure about living", DANGER, "doubt", ("wish", "wish_not"), "live", window=6),
    _rule("not seeing oneself alive", DANGER, "neg", "future_self", "live", window=6),
    _rule("not surviving", DANGER, "neg", "survive", ("i", "wish"), window=5, unless=("joke",)),
    _rule("no point in living", DANGER, "pointless", ("live", "life")),
    _rule("no point in anything", DANGER, "pointless", "any_of_it", window=2),
    _rule("no point any more", DANGER, "pointless", "anymore", window=1),
    _rule("why live", DANGER, "why", ("live", "life"), window=5),
    _rule("no reason to go on", DANGER, "pointless", "cope", window=5),
    _rule("tired of life", DANGER, "tired_of", ("live", "life"), window=4),
    _rule(
        "never waking up",
        DANGER,
        "wake",
        "neg",
        _ASLEEP,
        window=8,
        unless=(*_BABY, "until"),
        reach=6,
    ),
    _rule("sleeping forever", DANGER, "sleep", "forever", ("wish", "i"), unless=("joke", "until")),
    _rule("wish to be gone", DANGER, "wish", "gone", window=3, unless=("brief",), reach=6),
    _rule(
        "ceasing to be",
        DANGER,
        "cease",
        ("i", "wish", "intent", "think"),
        window=5,
        unless=("brief", "care", "thing", "indulgence", *_BABY),
        reach=8,
    ),
    _rule("vanishing for good", DANGER, "vanish", ("forever", "without_me"), window=5),
    _rule("better off without me", DANGER, "better_off", "without_me"),
    _rule("better off dead", DANGER, "better_off", "death", window=4),
    _rule("better off gone", DANGER, "better_off", "gone", window=2),
    _rule("a burden", DANGER, "burden", "i", unless=("wish_not", "refrain"), reach=4),
    _rule("joining the dead", DANGER, "wish", "reunite", ("death", "death_other"), window=10),
    _rule("nobody would miss me", DANGER, "miss_me", ("neg", "disown"), window=7),
    _rule(
        "nobody would notice",
        DANGER,
        "notice",
        ("neg", "disown"),
        ("without_me", "gone", "cease", "death"),
        window=8,
    ),
    _rule(
        "forgotten when gone",
        DANGER,
        "forget_me",
        ("without_me", "gone", "cease", "death", "young"),
        window=8,
    ),
    _rule("saying goodbye", DANGER, "goodbye"),
    _rule("a last goodbye", DANGER, "farewell", "final", window=8, unless=("thing", "joke")),
    _rule("letters for when I am gone", DANGER, "letter", "final", window=14),
    _rule("putting affairs in order", DANGER, "settle"),
    _rule("how to die", DANGER, "how", "death", window=6, unless=_BABY),
    _rule(
        "sleeping a very long time", DANGER, "sleep", "long_time", "forever", window=14, across=True
    ),
    _rule(
        "a goodbye after giving up",
        DANGER,
        "farewell",
        "bare_done",
        window=10,
        unless=("soon", "brief", "joke", "thing"),
        reach=6,
        across=True,
    ),
    _rule(
        "the only way out",
        DANGER,
        "only_way",
        ("remove_self", "end", "death", "cease", "gone", "suicide"),
        window=14,
    ),
    _rule("no way out", DANGER, "bare_no_way", unless=("joke", "thing", "sleep", "care"), reach=6),
    _rule(
        "no future",
        DANGER,
        "future",
        "neg",
        window=4,
        unless=("task", "thing", "occasion"),
        reach=10,
    ),
    _rule("another mother for the baby", DANGER, ("wish", "deserve", "better_off"), "other_mother"),
    _rule(
        "letters just in case",
        DANGER,
        "letter",
        "just_in_case",
        "addressee",
        window=12,
        unless=("care", "task", "thing"),
    ),
    _rule(
        "the parent and the baby gone together",
        DANGER,
        "both_of_us",
        ("gone", "cease", "death", "fall", "here", "peril", "lethal_place", "move"),
        ("mercy", "better_off", "wish", "think", "ease"),
        window=14,
    ),
    _rule(
        "neither of us waking",
        DANGER,
        "both_of_us",
        "wake",
        "neg",
        ("mercy", "better_off", "wish", "think"),
        window=12,
    ),
    _rule(
        "identifying with a suicide",
        DANGER,
        "same_way",
        ("jump", "lethal_place", "suicide", "move"),
        window=18,
        unless=("joke",),
    ),
    _rule("my time is up", DANGER, "time_up", unless=("brief", "task")),
    _rule("ending it all", DANGER, "end", "all", (*_INTENT, "ease", "almost")),
    _rule("ending it tonight", DANGER, "end", "it", ("now", "later"), window=10),
    _rule(
        "deciding to end it",
        DANGER,
        "plan",
        "end",
        "it",
        window=6,
        unless=("adult", "thing", "care", "task"),
        reach=4,
    ),
    _rule(
        "a plan at a set time",
        DANGER,
        "do_it",
        ("now", "later"),
        window=3,
        unless=("thing", "task", "care"),
        reach=6,
    ),
    _rule("a date chosen", DANGER, "set_date", "i", window=4, unless=("occasion",), reach=6),
    _rule("going, once someone is back", DANGER, "waiting", "bare_go", window=14),
    _rule("ties undone, unexpected", DANGER, ("cleared", "settle"), "unexpected", window=14),
    _rule("the baby handed on for good", DANGER, "without_me", "carer", "from_now", window=12),
    _rule(
        "what alone keeps me here",
        DANGER,
        "only_for",
        ("end", "death", "suicide", "gone", "cease", "live", "jump", "move", "lethal_place"),
        window=14,
    ),
    _rule("not afraid of dying", DANGER, "unafraid"),
    _rule(
        "not caring whether I live",
        DANGER,
        "indifferent",
        ("wake", "live", "death", "survive"),
        window=8,
    ),
    _rule("peace, and the way there", DANGER, "peace", "how_there", window=12),
    _rule("better off with the insurance", DANGER, "insurance", "better_off", window=10),
    _rule(
        "waiting, for nothing named, until a time", DANGER, "bare_wait", ("now", "later"), window=8
    ),
    _rule(
        "one's own funeral",
        DANGER,
        "funeral",
        ("think", "dwell", "wish", "plan"),
        window=8,
        unless=("joke",),
    ),
    _rule(
        "a decision kept quiet",
        DANGER,
        "reassure",
        ("bare_plan", "bare_go", "set_date", "bare_how", "end"),
        window=16,
    ),
    _rule("how, planned", DANGER, "bare_how"),
    _rule("a plan, unnamed", DANGER, "bare_have_plan", "i", window=3, unless=("joke",), reach=6),
    _rule("knowing how I would do it", DANGER, "how_done", ("know", "plan", "think", "ready")),
    _rule(
        "cannot go on",
        DANGER,
        "cope",
        ("neg", "doubt"),
        "anymore",
        window=5,
        unless=("care",),
        reach=1,
    ),  # "jag orkar inte amma så mycket längre" is about feeding
    _rule("cannot go on at all", DANGER, "go_on", "neg", window=3),
    # Losing control, threats, not being safe
    _rule("not safe", DANGER, "safe", "neg", "i", window=3, unless=("task",), reach=5),
    _rule("not safe with myself", DANGER, "safe", "neg", "reflexive", window=5),
    _rule(
        "not safe with me",
        DANGER,
        "safe",
        "neg",
        ("with_me", "alone_with_me"),
        window=8,
        unless=("sleep", "bed", "task"),
        reach=6,
    ),
    _rule("should not be alone with me", DANGER, "ought", "neg", "alone_with_me", window=4),
    _rule("a danger to oneself", DANGER, "danger_to", ("reflexive", "me_obj")),
    _rule("a danger to the baby", BABY, "danger_to", _BABY, window=4),
    _rule("a danger", DANGER, "danger_to", "i", unless=_BABY),
    _rule("cannot trust myself", DANGER, "trust", "neg", ("reflexive", "me_obj"), window=5),
    _rule("losing control", DANGER, "control", ("i", "inside"), unless=("indulgence",), reach=8),
    _rule("something snapped", DANGER, "snapped"),
    _rule(
        "shut away from the baby",
        DANGER,
        "acute",
        ("harm", "act", "control", "mishap"),
        window=20,
        across=True,
    ),
    _rule(
        "about to do something terrible",
        METHOD,
        "rash",
        ("i", "intent"),
        window=8,
        unless=("indulgence", "joke", "example"),
        reach=8,
    ),
    # Methods named without the word suicide
    _rule(
        "method", METHOD, "move", "place", _METHOD_SIGNS, window=10, unless=("furniture", "swim")
    ),
    _rule("a method made easy", METHOD, "lethal_place", "ease", window=10),
    _rule("a method worked out", METHOD, ("lethal_place", "garage"), "ready", window=10),
    _rule("going under to stay", METHOD, "move", "stay_down", window=10),
    _rule("a height tonight", METHOD, "lethal_place", "think", "now", window=6),
    _rule("fumes", DANGER, "fumes", "garage", window=10),
    _rule(
        "jumping",
        METHOD,
        "jump",
        (*_INTENT, "urge", "almost", "speak_of"),
        unless=(*_BABY, "furniture"),
    ),
    _rule("crashing the car", METHOD, "crash", _INTENT),
    _rule(
        "gathering pills", DANGER, "pills", "hoard", window=8, unless=("care", "stored"), reach=6
    ),
    _rule(
        "pills at hand",
        DANGER,
        ("pills", "cord"),
        "ready",
        window=10,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule(
        "thinking about the pills",
        DANGER,
        "pills",
        ("dwell", "obsess"),
        "i",
        window=8,
        unless=("care", "joke", "stored"),
        reach=8,
    ),
    _rule("cannot stop thinking of a place", METHOD, "lethal_place", "obsess", window=8),
    _rule(
        "standing at the edge of a height",
        METHOD,
        "lethal_place",
        "at_edge",
        window=14,
        unless=("view",),
        reach=10,
    ),
    _rule(
        "drawn to a method",
        METHOD,
        "lure",
        ("blade", "lethal_place", "pills", "cord", "method_emoji"),
        window=8,
        unless=("brief", "joke", "care", "adult"),
        reach=8,
    ),
    _rule("a method in sight", METHOD, ("place", "lethal_place"), "ready", "ease", window=20),
    _rule("thinking about the rope", DANGER, "cord", ("dwell", "obsess"), window=12),
    _rule("a hook one cannot stop looking at", DANGER, "anchor", ("dwell", "obsess"), window=12),
    _rule("circling a height", METHOD, "lethal_place", "circling", "habit", window=14),
    _rule("sitting with a razor", DANGER, "razor", "sit_with", "i", window=8, unless=("chore",)),
    _rule(
        "sitting with all the pills",
        DANGER,
        "pills",
        "all_pills",
        ("sit_with", "carried"),
        window=12,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule(
        "all the pills",
        DANGER,
        "pills",
        "all_pills",
        (*_INTENT, "death", "now", "end"),
        window=8,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule(
        "a lethal dose",
        DANGER,
        "pills",
        ("lethal", "death"),
        window=8,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule(
        "too many pills",
        DANGER,
        "pills",
        "how",
        "excess",
        window=8,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule(
        "too many pills taken",
        DANGER,
        "pills",
        "excess",
        "took",
        window=8,
        unless=("care", "stored"),
        reach=6,
    ),
    _rule("cutting wrists", DANGER, "blade", "wrist"),
    _rule("hit by a vehicle", DANGER, "wish", "hit_me", window=8),
    _rule("hanging", DANGER, "rope"),
    _rule(
        "a poison looked at",
        DANGER,
        "poison_item",
        ("eye", "obsess", "dwell", "wish", "plan", "lure"),
        window=8,
        unless=("clean",),
    ),
    _rule(
        "a blade on oneself, reported",
        DANGER,
        "blade",
        ("on_themself", "use_on"),
        "on_themself",
        window=20,
    ),
    _rule("a hanging tried", DANGER, "ligature", "anchor", "tie", window=10),
    _rule(
        "stones in one's pockets", DANGER, "stones", "pockets", window=5, unless=("theirs", *_BABY)
    ),
    _rule("wanting to act on the thoughts", DANGER, "unbothered", "wish", window=10),
    _rule("wanting to do worse", DANGER, "wish", "worse", window=4),
    _rule("a method in emoji", METHOD, "method_emoji", (*_INTENT, "habit", "now", "all_pills")),
    # Taking the baby along, or leaving the baby somewhere safe first
    _rule(
        "taking the baby along",
        DANGER,
        "along",
        ("depart", "mercy", "end", "death", "suicide"),
        window=8,
    ),
    _rule(
        "leaving the baby first", DANGER, "handover", ("move", "crash", "lethal_place"), window=14
    ),
    # Postpartum psychosis
    _rule("hearing voices", DANGER, "voices", "perceive", unless=("hypothetical",), reach=4),
    _rule("called by name", DANGER, "called", ("not_there", "sleep", "voices"), window=10),
    _rule("seeing things", DANGER, "not_there", "perceive", "figure", window=14),
    _rule(
        "odd belief",
        DANGER,
        "belief",
        (*_BABY, "odd_agent", "omen"),
        window=8,
        unless=("joke", "resemblance", "report"),
        reach=8,
    ),
    _rule("thoughts read or controlled", DANGER, "mind_control", unless=("joke",), reach=8),
    _rule(
        "special powers", DANGER, "grandiose", unless=("joke", "baby_subject", "partial"), reach=4
    ),
    _rule(
        "spoken to inside one's head",
        DANGER,
        "talks",
        "inside_head",
        (*_BABY, "odd_agent"),
        window=6,
        unless=("hypothetical",),
    ),
    _rule(
        "told what to do",
        DANGER,
        "orders",
        ("omen", "voices", "divine", "odd_agent"),
        window=8,
        unless=("joke",),
    ),
    _rule("signs sent", DANGER, "signs", ("omen", "divine"), window=8, unless=("joke",)),
    _rule("shown or told by God", DANGER, "revealed", "divine", window=4, unless=("joke",)),
    _rule(
        "figures that move",
        DANGER,
        "apparition",
        "animate",
        window=6,
        unless=("light_source", "joke"),
        reach=8,
    ),
    _rule("surroundings alive", DANGER, "surroundings", "alive", window=2, unless=("joke", *_BABY)),
    _rule("plotted against", DANGER, "plot", unless=("joke",), reach=6),
    _rule("the baby taken by a plot", DANGER, "take_away", "conspire", window=14, unless=("joke",)),
    _rule(
        "no sleep for days",
        DANGER,
        "sleep",
        "neg",
        "days",
        unless=("partial", "baby_noun", "care", "task"),
        reach=5,
    ),
    _rule(
        "awake for days",
        DANGER,
        "awake",
        "days",
        unless=("partial", "baby_noun", "care", "task"),
        reach=5,
    ),
    _rule("sleepless and strange", DANGER, "awake", "days", _ODD, window=14),
    _rule("no sleep and strange", DANGER, "sleep", "neg", "days", _ODD, window=14),
    _rule("losing touch with reality", DANGER, "lost_reality", "neg", window=6),
    _rule("not knowing where one is", DANGER, "lost_where", ("neg", "ask", "doubt"), window=6),
    _rule("lost in time and place", DANGER, "lost_time", ("lost_reality", "lost_where"), window=20),
    _rule("something put in", DANGER, "spiked", "odd_agent", window=8, unless=("joke", "report")),
    # Harm to the baby: danger or an unwanted thought, read from the words around it
    _rule("harm to the baby", BABY, "harm", ("baby", "you"), _AGENT, unless=("report",), reach=6),
    _rule(
        "rough act on the baby", BABY, "act", ("baby", "you"), _AGENT, unless=("report",), reach=6
    ),
    _rule("picturing harm to the baby", BABY, ("harm", "act"), "baby_subject", _PICTURED),
    _rule(
        "dropping the baby",
        BABY,
        "drop",
        _BABY,
        (*_INTENT, *_PICTURED, "accident", "anger"),
        window=16,
        unless=("handover",),
    ),
    _rule("the baby falling", BABY, "fall", _BABY, ("thought", *_WANTED_WORDS), window=8),
    _rule("the baby dying", BABY, "death", _BABY, ("wish", *_PICTURED)),
    _rule(
        "leaving the baby in danger",
        BABY,
        "leave",
        _BABY,
        "peril",
        ("wish", "urge", "walk_away", "think", "thought", "plan", "on_purpose"),
        window=12,
    ),
    _rule(
        "a blow meant for the baby",
        BABY,
        "displaced",
        ("wish", "think"),
        ("act", "did", "harm", "lash_out"),
        window=16,
    ),
    # Unwanted thoughts named as such
    _rule("intrusive thoughts", UNWANTED, "intrusive"),
    _rule("dark thoughts", UNWANTED, "thought", "dark", window=3),
    _rule("thoughts of something happening", UNWANTED, ("thought", "fear"), "mishap", window=8),
    _rule("thoughts of dangers to the baby", UNWANTED, "thought", "peril", _BABY, window=10),
    _rule("thoughts of an accident", UNWANTED, "thought", "accident", _BABY, window=8),
    _rule("afraid of one's thoughts", UNWANTED, "fear", "thought", ("baby", "peril"), window=10),
)


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
    return [_finding(rule, words, lo, hi) for rule, lo, hi in _matches(words)]


def _read(text: str) -> list[Token]:
    words = tokens(text)
    language = dominant(words)
    for token in words:
        for concept, needed in token.guarded.items():
            if language in (None, needed):
                token.concepts.add(concept)
    add_phrases(words)
    _aim_harm(words)
    _read_neighbours(words)
    return words


def _aim_harm(words: list[Token]) -> None:
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
                u.concepts.intersection(_BABY) or "theirs" in u.concepts
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
        and bool(after[1].concepts.intersection(_BABY))
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


#: How far back the subject of an act is looked for in its sentence.
_SUBJECT_REACH: Final = 10


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


def _read_neighbours(words: list[Token]) -> None:
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
    with_baby = {t.sentence for t in words if t.concepts.intersection(_BABY)}
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


_BY_CONCEPT: Final[dict[str, list[int]]] = {}
for _number, _rule_ in enumerate(RULES):
    for _concept in {c for group in _rule_.needs for c in group}:
        _BY_CONCEPT.setdefault(_concept, []).append(_number)


@functools.lru_cache(maxsize=4096)
def _candidates(concepts: frozenset[str]) -> tuple[int, ...]:
    """The rules (by number, in order) that need one of these concepts."""
    return tuple(sorted({n for c in concepts for n in _BY_CONCEPT.get(c, ())}))


def _matches(words: list[Token]) -> Iterable[tuple[Rule, int, int]]:
    """Each rule's match as (rule, first word, last word), at most once per rule.

    One pass: the last place each concept was seen in the sentence is kept, and when a word
    brings a concept, only the rules that need it are checked, each against those places.
    """
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
            rule = RULES[number]
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


def _finding(rule: Rule, words: list[Token], lo: int, hi: int) -> Finding:
    level = rule.level
    if level == METHOD:
        level = _baby_level(rule, words, lo, hi) if _baby_near(words, lo, hi) else DANGER
    elif level == BABY:
        level = _baby_level(rule, words, lo, hi)
    return Finding(rule.name, level, tuple(t.word.folded for t in words[lo : hi + 1]))


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
        if t.sentence != sentence or not t.concepts.intersection(_BABY):
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
    around = _around(words, lo, hi)
    accidental = rule.needs[0] in (("drop",), ("fall",), ("death",))
    strong = _WANTED if accidental else _STRONG
    scene = _framing_before(words, hi)
    if "dwell" in scene:  # "thinking about hurting her on purpose" weighs the act
        pass
    elif "thought" in scene:  # a pictured scene: what happens inside it is not intent
        strong = strong - _PICTURED_ONLY
    elif "fear" in around and "did" not in around:  # "scared I'll drop him on purpose"
        strong = strong - {"on_purpose"}
    if around & strong:
        return DANGER
    framing = _FRAMING | {"think"} if accidental else _FRAMING
    framed = any(t.concepts & framing for t in words)
    return UNWANTED if framed else DANGER
