"""Crisis signals in free text, in English and Swedish. Errs on the side of responding.

Two levels, as in PRODUCT.md: ``danger`` (intent or plans to harm oneself or the baby, wishing
to be dead, feeling out of control, signs of postpartum psychosis) and ``unwanted_thoughts``
(sudden frightening thoughts of harm coming to the baby that the parent does not want). A
harm phrase ("hurt my baby") counts as danger unless the text frames it as an unwanted thought
and shows no intent; then the calmer, non-alarming reply fits better.

Patterns are written without diacritics: the text is folded the same way before matching, so
"sjalvmord" and "självmord" both match.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from flows.model import SAFETY_LEVELS


def fold(text: str) -> str:
    """Lower case, no accents, plain apostrophes, single spaces: the form patterns expect."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("’", "'").replace("`", "'").replace("´", "'")
    return " ".join(plain.split())


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


BABY_EN: Final = (
    r"(?:my |the |our )?(?:baby|babies|child|kid|son|daughter|infant|newborn|little one)"
)
BABY_SV: Final = (
    r"(?:mitt |min |vart |var )?(?:barn(?:et)?|bebis(?:en)?|baby(?:n)?|bebbe|son(?:en)?|dotter"
    r"|dottern|lilla|den lilla)"
)
HARM_EN: Final = (
    r"(?:hurt(?:ing)?|harm(?:ing)?|kill(?:ing)?|smother(?:ing)?|shak(?:e|ing)|drown(?:ing)?)"
)
HARM_SV: Final = r"(?:skada|gora illa|doda|skaka|kvava|drunkna)"

#: Intent, plans, wishing to be dead, losing control, signs of psychosis.
DANGER: Final = _any(
    # English: harming oneself, wishing to be dead
    r"\bkill(?:ing)? myself\b",
    r"\bend(?:ing)? (?:my|it) (?:life|all)\b",
    r"\bend it\b",
    r"\bsuicid",
    r"\btake my (?:own )?life\b",
    r"\b(?:want|wish|wishing|wanted) (?:to be|i was|i were|to) (?:dead|die)\b",
    r"\bwant to die\b",
    r"\bdon'?t want to (?:live|be alive|be here|exist)\b",
    r"\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on)\b",
    r"\bbetter off (?:dead|without me)\b",
    r"\b(?:hurt|harm|cut)(?:ing)? myself\b",
    r"\bcan'?t (?:go on|take (?:it|this) any ?more|do this any ?more)\b",
    r"\bnot (?:be )?(?:here|around) any ?more\b",
    r"\bdisappear for(?:ever| good)\b",
    r"\boverdose\b",
    r"\bjump (?:off|from|in front)\b",
    # English: losing control
    r"\b(?:out of|lose|losing|lost) (?:my )?control\b",
    r"\bsnap(?:ped)? and (?:hurt|hit|shake)\b",
    # English: psychosis
    r"\bhear(?:ing)? (?:voices|things)\b",
    r"\bvoices (?:tell|telling|told)\b",
    r"\bsee(?:ing)? things (?:that|which) (?:aren'?t|are not|others)\b",
    r"\b(?:baby|child) is (?:evil|possessed|not (?:my|mine)|the devil|cursed)\b",
    r"\b(?:haven'?t|have not|not) slept (?:in|for) (?:days|\d+ days|several days)\b",
    r"\bno sleep (?:in|for) (?:days|\d+ days)\b",
    # Swedish: harming oneself, wishing to be dead
    r"\bta (?:livet|mitt liv) av mig\b",
    r"\bta mitt liv\b",
    r"\btar livet av mig\b",
    r"\bsjalvmord",
    r"\b(?:vill|vil) (?:do|inte leva|inte finnas|forsvinna)\b",
    r"\bonskar (?:att )?jag (?:var|vore) dod\b",
    r"\bbattre (?:utan mig|om jag (?:inte fanns|var dod|dog))\b",
    r"\borkar inte (?:mer|leva|langre|med livet)\b",
    r"\bskada mig sjalv\b",
    r"\bskar mig\b",
    r"\bmeningslost att leva\b",
    r"\bingen mening (?:med|att) (?:livet|leva)\b",
    # Swedish: losing control, psychosis
    r"\b(?:tappar|tappat|forlorar|forlorat) (?:helt )?kontrollen\b",
    r"\bhor(?:de)? roster\b",
    r"\bser saker som inte\b",
    r"\b(?:barnet|bebisen) ar (?:ond|besatt|inte mitt|inte min)\b",
    r"\b(?:inte|knappt) sovit pa (?:flera )?(?:dagar|dygn)\b",
)

#: Wanting or planning to harm the baby: always danger.
BABY_INTENT: Final = _any(
    rf"\b(?:want|going|plan|planning|about|tempted|will|gonna) (?:to )?{HARM_EN} {BABY_EN}\b",
    rf"\bi (?:will|could|might|would) {HARM_EN} {BABY_EN}\b",
    rf"\b(?:vill|tanker|kommer att|ska|skulle kunna) {HARM_SV} {BABY_SV}\b",
)

#: A harm phrase about the baby with no framing around it.
BABY_HARM: Final = _any(rf"\b{HARM_EN} {BABY_EN}\b", rf"\b{HARM_SV} {BABY_SV}\b")

#: Frightening thoughts the parent does not want: a signal on its own.
UNWANTED: Final = _any(
    r"\b(?:intrusive|unwanted|scary|frightening|horrible|awful|dark|terrible)"
    r" (?:thoughts?|images?)\b",
    r"\bthoughts? (?:of|about|that) (?:something|anything) (?:bad|terrible|awful|happen)",
    rf"\bthoughts? (?:of|about) {HARM_EN}\b",
    r"\bwhat if i (?:drop|hurt|harm|drown|smother|shake)",
    r"\b(?:tvangstankar|skrammande tankar|hemska tankar|obehagliga tankar)\b",
    r"\btankar (?:pa|om) att (?:nagot|jag) (?:ska|skulle|kan|kommer)",
    r"\b(?:tank|tank om) (?:om )?jag (?:tappar|skadar|drunknar|kvaver)",
)

#: Framing that turns a harm phrase into an unwanted thought, not an intent.
UNWANTED_FRAME: Final = _any(
    UNWANTED.pattern,
    r"\bthoughts?\b",
    r"\bimages?\b",
    r"\b(?:would|will) never\b",
    r"\bdon'?t want to\b",
    r"\bscared (?:that )?i (?:might|will|could)\b",
    r"\btankar?\b",
    r"\bbilder\b",
    r"\b(?:skulle|kommer) (?:jag )?aldrig\b",
    r"\bvill (?:jag )?inte\b",
    r"\bradd (?:att|for att) jag\b",
)


def detect_crisis(text: str) -> str | None:
    """The safety level a text calls for, or None."""
    folded = fold(text)
    if DANGER.search(folded) or BABY_INTENT.search(folded):
        return "danger"
    if BABY_HARM.search(folded):
        return "unwanted_thoughts" if UNWANTED_FRAME.search(folded) else "danger"
    if UNWANTED.search(folded):
        return "unwanted_thoughts"
    return None


def higher(a: str, b: str) -> str:
    """The more urgent of two safety levels."""
    return max(a, b, key=SAFETY_LEVELS.index)
