"""What every table and column holds, in words and codes: the codebook for staff tools.

Datasette metadata, the codebook and the checks in `record_intake` all read from here. The
tables themselves are created by the migrations in `storage.db`; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Clinic codes as the engine accepts them from a deep link or the configuration.
CLINIC_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
#: Question keys (and other step names) counted in `progress`.
STEP_CODE = re.compile(r"[a-z0-9_]{1,40}")

OFTEN = ("often", "sometimes", "rarely", "not_sure")
YES_MAYBE_NO = ("yes", "maybe", "no")


@dataclass(frozen=True, slots=True)
class Column:
    """One column: what it means, and the codes it may hold (empty: see the description)."""

    description: str
    codes: tuple[str, ...] = ()
    required: bool = False  # NOT NULL; other columns are NULL where a question was skipped


@dataclass(frozen=True, slots=True)
class Table:
    description: str
    columns: dict[str, Column] = field(default_factory=dict)
    staff: bool = False  # shown to staff (Datasette, exports); the others never are


_KEY = (
    "Fingerprint (8 hex digits) of the pseudonymisation key the pseudonym was made with, so a "
    "key rotation can tell old rows from new ones; says nothing about the key or anyone."
)

#: The columns of `intakes` that come from the engine's record, in display order.
RECORD_COLUMNS: dict[str, Column] = {
    "flow_version": Column(
        "Version of the questions and codes the parent answered; a codebook names the version "
        "it describes.",
        required=True,
    ),
    "lang": Column("Language of the conversation.", ("en", "sv"), required=True),
    "clinic": Column(
        "Code of the clinic the parent came through (deep link), or the configured default.",
        required=True,
    ),
    "outcome": Column(
        "How the intake ended: a suggestion, or the baby is past the age MIP serves.",
        ("suggestion", "older_child"),
        required=True,
    ),
    "role": Column("Who was chatting.", ("mother", "father", "partner", "other")),
    "age_band": Column("The baby's age.", ("under_6m", "6_12m", "1_2y", "2_3y", "over_3y")),
    "baby_reacts": Column(
        "Does the baby react (whining, fussy, anxious) when the parent is upset?", OFTEN
    ),
    "baby_distress": Column("Does the baby seem sad, distressed or hard to comfort?", OFTEN),
    "baby_withdrawn": Column("Does the baby seem withdrawn or avoid contact?", OFTEN),
    "sleep_feeding": Column(
        "Worries about sleep or feeding (context).", ("sleep", "feeding", "both", "neither")
    ),
    "wish_main": Column(
        "What the parent mainly hopes for: to understand how they and the baby affect each "
        "other, concrete advice, or both.",
        ("understand", "advice", "both", "not_sure"),
    ),
    "wish_understand": Column(
        "Asked up to flow version 2 only: would the parent like to understand how they and the "
        "baby affect each other? Blank from version 3.",
        YES_MAYBE_NO,
    ),
    "wish_advice": Column(
        "Asked up to flow version 2 only: would the parent like concrete advice on what to do "
        "now? Blank from version 3.",
        YES_MAYBE_NO,
    ),
    "wish_alone": Column(
        "Does the parent feel alone with the situation?", ("yes", "sometimes", "no")
    ),
    "wellbeing": Column("The parent's own wellbeing.", ("mostly_ok", "strained", "low")),
    "safety_answer": Column(
        "Answer to the gentle safety question (thoughts of not wanting to live, or of harming "
        "oneself or the baby): no; yes, frightening unwanted thoughts about the baby; yes, "
        "afraid of acting on thoughts of harming the baby; yes, thoughts of not wanting to "
        "live or of harming oneself (since flow version 2).",
        ("no", "yes_unwanted", "yes_afraid", "yes_self"),
    ),
    "baby_judgement": Column(
        "Internal judgement, from several answers: is the baby affected by the parent's "
        "distress? Never shown to parents.",
        ("affected", "not_affected", "unclear"),
    ),
    "parent_judgement": Column(
        "Internal judgement, from several answers: does the parent want to understand, want "
        "advice, or both/unclear? Never shown to parents.",
        ("understand", "advice", "mixed"),
    ),
    "suggestion": Column(
        "The care suggested, from the baby judgement and the parent judgement together.",
        ("mip", "mip_with_guidance", "mip_may_suit", "chc", "chc_first", "both", "older_child"),
        required=True,
    ),
    "safety_level": Column(
        "Highest safety message shown during the conversation.",
        ("none", "unwanted_thoughts", "danger"),
        required=True,
    ),
    "free_text": Column(
        "What the parent wrote for the clinic, with personal details replaced by placeholders: "
        "[name] (names and usernames), [id] (a Telegram id), [personnummer], [phone], [email], "
        "[address], [link], [handle] (accounts on other services), [date] (exact dates)."
    ),
}

TABLES: dict[str, Table] = {
    "intakes": Table(
        "One row per completed intake, anonymised: no name, account, date or time.",
        {
            "id": Column("Random id of the intake; says nothing about the parent.", required=True),
            "week": Column("ISO week the intake was completed, e.g. 2026-W48.", required=True),
            **RECORD_COLUMNS,
        },
        staff=True,
    ),
    "progress": Table(
        "How far conversations got, counted per week, clinic and step, with no link to anyone.",
        {
            "week": Column("ISO week, e.g. 2026-W48.", required=True),
            "clinic": Column("Clinic code.", required=True),
            "question": Column(
                "Step reached after consent (a question key, summary or done).", required=True
            ),
            "count": Column(
                "How many conversations reached that step in that week.", required=True
            ),
        },
        staff=True,
    ),
    "sessions": Table(
        "Unfinished conversations after consent, so a parent can pause and come back; deleted "
        "when the conversation ends (completed, stopped, started over), so nothing here "
        "matches an intake. Before consent and after the end a conversation is held in the "
        "process's memory only. Never shown to staff.",
        {
            "pseudonym": Column("Keyed hash of the Telegram user id (HMAC-SHA256).", required=True),
            "conversation": Column(
                "The saved conversation (the engine's JSON), its free text already scrubbed.",
                required=True,
            ),
            "last_active_day": Column(
                "Day of the last answer, for purging idle sessions.", required=True
            ),
            "key": Column(_KEY, required=True),
        },
    ),
    "links": Table(
        "Which intakes a pseudonym made, only so a parent can delete them; purged once "
        "expired, after which nothing ties the intake to anyone.",
        {
            "pseudonym": Column("Keyed hash of the Telegram user id.", required=True),
            "intake_id": Column("The intake's id.", required=True),
            "expires_on": Column("Day from which the link is purged.", required=True),
            "key": Column(_KEY, required=True),
        },
    ),
    "outbox": Table(
        "The replies of a parent's latest step until they are delivered, written with the "
        "conversation they belong to and deleted once delivered, so a crash loses no reply "
        "(docs/delivery.md). Holds no address: a row is delivered when the parent next writes. "
        "Never shown to staff.",
        {
            "pseudonym": Column("Keyed hash of the Telegram user id.", required=True),
            "key": Column(_KEY, required=True),
            "revision": Column(
                "Revision of the conversation the messages show (their buttons carry it).",
                required=True,
            ),
            "messages": Column(
                "The messages to send, as the bot renders them, free text already scrubbed.",
                required=True,
            ),
            "shown": Column(
                "The conversation as the parent last saw it (free text scrubbed), so a message "
                "typed before the new question arrived answers the question it was meant for; "
                "empty once the conversation has ended."
            ),
            "last_message": Column(
                "The highest Telegram message number of the chat when the row was written (a "
                "counter, not an id of anyone), to tell whether the messages arrived.",
                required=True,
            ),
            "day": Column("Day the row was written, for purging.", required=True),
        },
    ),
}

STAFF_TABLES: tuple[str, ...] = tuple(name for name, table in TABLES.items() if table.staff)
