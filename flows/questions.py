"""What parents are asked, in order, with every option's code. Texts live in the catalogs.

A question's text is the catalog key ``q.<key>``; an option's label is ``o.<key>.<code>``.
Codes are what gets stored, so they never change meaning once released (bump FLOW_VERSION).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    codes: tuple[str, ...]  # option codes, in the order shown; empty for free text
    topic: Literal["role", "age", "baby", "wish", "wellbeing", "free_text"]
    optional: bool = False  # free text may be skipped
    yes_code: str = "yes"  # what a typed yes/ja means here, if it means anything
    no_code: str = "no"
    #: The safety level each answer calls for; its crisis reply is shown first.
    levels: tuple[tuple[str, str], ...] = ()
    #: The crisis reply a typed yes calls for where yes is not one answer (never stored).
    yes_level: str = ""
    #: A text shown after an answer: (code, catalog key).
    notes: tuple[tuple[str, str], ...] = ()
    #: A reader of typed answers besides the options' words and numbers: "age" reads a typed
    #: age ("8 months", "1,5 år") into its band (flows/ages.py).
    reads: Literal["", "age"] = ""

    def level_of(self, code: str) -> str | None:
        return next((level for answer, level in self.levels if answer == code), None)

    def note_for(self, code: str) -> str | None:
        return next((key for answer, key in self.notes if answer == code), None)

    @property
    def is_free_text(self) -> bool:
        return not self.codes


OFTEN = ("often", "sometimes", "rarely", "not_sure")
#: Age bands, youngest first, each with the age in months it starts at (a child of 12 months
#: is in 1_2y: ages count completed months, as parents say them).
AGE_BAND_STARTS: tuple[tuple[str, int], ...] = (
    ("under_6m", 0),
    ("6_12m", 6),
    ("1_2y", 12),
    ("2_3y", 24),
    ("over_3y", 36),
)
AGE_BANDS = tuple(band for band, _ in AGE_BAND_STARTS)

QUESTIONS: tuple[Question, ...] = (
    # The research studied mothers: everyone else is told so, honestly, and welcomed.
    Question(
        "role",
        ("mother", "father", "partner", "other"),
        "role",
        notes=tuple((code, "research.fathers") for code in ("father", "partner", "other")),
    ),
    Question("age_band", AGE_BANDS, "age", reads="age"),
    Question("baby_reacts", OFTEN, "baby"),
    Question("baby_distress", OFTEN, "baby"),
    Question("baby_withdrawn", OFTEN, "baby"),
    Question("sleep_feeding", ("sleep", "feeding", "both", "neither"), "baby"),
    # One wish question and one follow-up that adds what the wish does not say: whether the
    # parent feels left alone with it (flows/routing.py adds the two up).
    Question("wish_main", ("understand", "advice", "both", "not_sure"), "wish"),
    Question("wish_alone", ("yes", "sometimes", "no"), "wish"),
    Question("wellbeing", ("mostly_ok", "strained", "low"), "wellbeing"),
    # Thoughts of not wanting to live or of harming oneself (yes_self) and fear of acting on
    # thoughts of harming the baby (yes_afraid) call for the danger reply; frightening unwanted
    # thoughts about the baby (yes_unwanted) for the calm one. A typed "yes" says none of them,
    # so it is not stored, but gets the most protective reply: detection errs on responding.
    Question(
        "safety",
        ("no", "yes_unwanted", "yes_afraid", "yes_self"),
        "wellbeing",
        yes_code="",
        levels=(
            ("yes_unwanted", "unwanted_thoughts"),
            ("yes_afraid", "danger"),
            ("yes_self", "danger"),
        ),
        yes_level="danger",
    ),
    Question("free_text", (), "free_text", optional=True),
)

QUESTION_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
QUESTION_KEYS: tuple[str, ...] = tuple(q.key for q in QUESTIONS)

#: Age bands past the ones MIP serves (babies and toddlers): the parent is pointed elsewhere.
OLDER_CHILD_BANDS = frozenset({"over_3y"})


def on_older_child_path(answers: Mapping[str, str]) -> bool:
    """The child is past the ages MIP serves: the conversation takes the older-child path."""
    return answers.get("age_band") in OLDER_CHILD_BANDS


#: The questions an older child's parent answers: who is chatting, the age, and the safety
#: question; then the summary, where any of them can be changed, and the end.
OLDER_CHILD_QUESTIONS: tuple[str, ...] = ("role", "age_band", "safety")


def questions_on_path(answers: Mapping[str, str]) -> tuple[str, ...]:
    """The questions the parent's path asks, in order: all, or the older-child path's."""
    return OLDER_CHILD_QUESTIONS if on_older_child_path(answers) else QUESTION_KEYS


def path_is_answered(answers: Mapping[str, str]) -> bool:
    """Every question on the parent's path has an answer (the summary can be shown)."""
    return all(key in answers for key in questions_on_path(answers))


#: Non-question steps of the conversation, in the order they come.
WELCOME, CONSENT, SUMMARY, CHANGE, SUGGESTION = "welcome", "consent", "summary", "change", "done"
DECLINED, OLDER_CHILD, STOPPED = "declined", "older_child", "stopped"

#: Every state the machine can be in.
STATES: tuple[str, ...] = (
    WELCOME,
    CONSENT,
    *QUESTION_KEYS,
    SUMMARY,
    CHANGE,
    SUGGESTION,
    DECLINED,
    OLDER_CHILD,
    STOPPED,
)

#: States where the conversation has ended; /start or "start again" begins a new one.
FINAL_STATES = frozenset({SUGGESTION, DECLINED, OLDER_CHILD, STOPPED})

#: States reached only after consent, before the end: the parent has answers to lose here, so
#: only a conversation in one of these (or one that went back before consent with its answers)
#: is stored under a pseudonym.
CONSENTED_STATES = frozenset({*QUESTION_KEYS, SUMMARY, CHANGE})

#: Progress is counted over these steps, so staff can see where parents stop (anonymously).
#: Counting starts after consent: a parent who declines leaves no trace at all, not even a count.
PROGRESS_STEPS: tuple[str, ...] = (*QUESTION_KEYS, SUMMARY, SUGGESTION)

#: Longest free text kept; the parent is told when theirs was shortened.
FREE_TEXT_LIMIT = 1500
