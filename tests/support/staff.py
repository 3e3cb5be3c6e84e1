"""Databases for the staff tools' tests, filled by playing real conversations.

Every row comes from a parent's conversation played through the engine and the intake
service, as the bot would play it: typed option numbers, taps, `/start <clinic>` deep links,
`/stop`. Nothing is written to the database by hand, so the figures the tests expect are the
figures a clinic would see.

``python -m tests.support.staff DB [--weeks N]`` writes a larger demo database (for trying
the staff tools, and for the report screenshot in docs/staff.md).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest

import storage
import storage.intakes
from bot.service import IntakeService, Outcome
from flows.clinic import load_clinic_config
from flows.engine import Engine
from flows.model import Input, Tap, Text
from flows.questions import QUESTIONS, SUGGESTION, SUMMARY
from tests.support.scripts import BABY, DANGER_ANSWERS, PARENT

SECRET = "staff-tests-secret-0123456789abcdef"

CLINIC_TOML = """
default_clinic = "north"

[country]
name = { en = "Sweden", sv = "Sverige" }
emergency = "112"
health_line = "1177"
suicide_line = "90101"
suicide_line_name = { en = "Självmordslinjen", sv = "Självmordslinjen" }
mip_route = { en = "Ask your BVC nurse about MIP.", sv = "Fråga BVC-sjuksköterskan om MIP." }

[clinics.north]
name = { en = "North BVC", sv = "BVC Norr" }
phone = "08-123 456"
contact = { en = "Call North BVC.", sv = "Ring BVC Norr." }

[clinics.south]
name = { en = "South BVC", sv = "BVC Söder" }
phone = "08-654 321"
contact = { en = "Call South BVC.", sv = "Ring BVC Söder." }
"""

#: Two weeks the standard conversations are played in.
WEEK_47 = date(2026, 11, 18)  # 2026-W47
WEEK_48 = date(2026, 11, 25)  # 2026-W48

#: Words in a parent's free text; they may appear only in `intake export --with-free-text`.
FREE_TEXT = "Hon sover dåligt om nätterna, ring 070-123 45 67"
FREE_TEXT_WORDS = "sover dåligt om nätterna"


@dataclass(frozen=True, slots=True)
class Intake:
    """One parent's conversation: who, where, which answers, and how far they go."""

    day: date = WEEK_48
    lang: str = "en"
    clinic: str = "north"
    role: str = "mother"
    age: str = "6_12m"
    baby: str = "affected"  # a row of tests.conversations.BABY
    parent: str = "understand"  # a row of tests.conversations.PARENT
    wellbeing: str = "mostly_ok"
    safety: str = "no"
    free_text: str | None = None  # None: the parent taps "Skip"
    stop_after: str | None = None  # the last step reached, then the parent leaves (or /stop)
    send_stop: bool = False  # leave with /stop rather than just not coming back

    def answers(self) -> dict[str, str]:
        reacts, distress, withdrawn = BABY[self.baby]
        main, alone = PARENT[self.parent]
        return {
            "role": self.role,
            "age_band": self.age,
            "baby_reacts": reacts,
            "baby_distress": distress,
            "baby_withdrawn": withdrawn,
            "sleep_feeding": "sleep",
            "wish_main": main,
            "wish_alone": alone,
            "wellbeing": self.wellbeing,
            "safety": self.safety,
        }


#: The standard database, by hand so that every figure can be checked by eye:
#:  - 8 completed intakes: 7 suggestions, 1 older child;
#:  - 3 unfinished: stopped at the first question, at baby_distress (/stop), at the summary;
#:  - 1 parent who declined consent (leaves no trace at all).
STANDARD: tuple[Intake, ...] = (
    Intake(WEEK_47, "en", "north", "mother", baby="affected", parent="understand"),  # mip
    Intake(
        WEEK_47, "en", "north", "mother", baby="affected", parent="advice", safety="yes_unwanted"
    ),  # mip_with_guidance
    Intake(WEEK_47, "sv", "north", "father", baby="not_affected", parent="advice"),  # chc
    Intake(
        WEEK_48,
        "sv",
        "south",
        "mother",
        baby="not_affected",
        parent="understand",
        free_text=FREE_TEXT,
    ),  # mip_may_suit
    Intake(
        WEEK_48, "en", "south", "partner", baby="unclear", parent="mixed", safety="yes_afraid"
    ),  # both
    Intake(WEEK_48, "en", "north", "mother", baby="affected", parent="understand"),  # mip
    Intake(WEEK_48, "sv", "south", "mother", baby="affected", parent="mixed"),  # mip
    Intake(WEEK_48, "en", "north", "other", age="over_3y"),  # older_child
    Intake(WEEK_47, "en", "north", stop_after="role"),
    Intake(WEEK_48, "sv", "south", stop_after="baby_distress", send_stop=True),
    Intake(WEEK_48, "en", "north", stop_after=SUMMARY),
)


@contextmanager
def on_day(day: date) -> Iterator[None]:
    """Storage's clock set to ``day``, so intakes and progress land in its ISO week."""

    class Today(date):
        @classmethod
        def today(cls) -> date:
            return day

    with patch.object(storage.intakes, "date", Today):
        yield


class Parent:
    """One parent talking to the service, checking that every answer was understood."""

    def __init__(self, service: IntakeService, user_id: int, lang: str) -> None:
        self.service, self.user_id, self.lang = service, user_id, lang

    def send(self, event: Input, then: str | None = None) -> Outcome:
        outcome = self.service.handle(self.user_id, event, lang=self.lang)
        state = outcome.conversation.state
        assert then is None or state == then, f"{event!r} led to {state!r}, not {then!r}"
        return outcome

    def answer(self, question: str, code: str, then: str) -> None:
        """Type the option's number, as a parent on a phone might."""
        codes = next(q.codes for q in QUESTIONS if q.key == question)
        self.send(Text(str(codes.index(code) + 1)), then)

    def answer_safety(self, code: str, then: str) -> None:
        """Answer the safety question; after a danger-level reply, say "yes", safe to go on."""
        if code not in DANGER_ANSWERS:
            self.answer("safety", code, then)
            return
        self.answer("safety", code, "safety")
        self.send(Text("yes" if self.lang == "en" else "ja"), then)


def play(service: IntakeService, user_id: int, intake: Intake) -> None:
    """Play one parent's conversation as far as the intake says."""
    parent = Parent(service, user_id, intake.lang)
    with on_day(intake.day):
        parent.send(Text(f"/start {intake.clinic}"), "welcome")
        parent.send(Tap("welcome", "begin"), "consent")
        parent.send(Text("1"), QUESTIONS[0].key)  # "1": yes, the answers may be stored
        answers = intake.answers()
        for index, question in enumerate(QUESTIONS):
            if intake.stop_after == question.key:
                break
            following = QUESTIONS[index + 1].key if index + 1 < len(QUESTIONS) else SUMMARY
            if question.is_free_text:
                event = Text(intake.free_text) if intake.free_text else Tap(question.key, "skip")
                parent.send(event, following)
            elif question.key == "age_band" and intake.age == "over_3y":
                # The older-child path asks the safety question too, shows the summary, ends.
                parent.answer(question.key, intake.age, "safety")
                parent.answer_safety(intake.safety, SUMMARY)
                parent.send(Tap(SUMMARY, "confirm"), "older_child")
                return
            elif question.key == "safety":
                parent.answer_safety(intake.safety, following)
            else:
                parent.answer(question.key, answers[question.key], following)
        else:
            if intake.stop_after != SUMMARY:
                parent.send(Tap(SUMMARY, "confirm"), SUGGESTION)
                return
        if intake.send_stop:
            parent.send(Text("/stop"), "stopped")


def play_declined(service: IntakeService, user_id: int) -> None:
    parent = Parent(service, user_id, "en")
    parent.send(Text("/start"), "welcome")
    parent.send(Tap("welcome", "begin"), "consent")
    parent.send(Tap("consent", "no"), "declined")


def clinic_config_file(folder: Path) -> Path:
    path = folder / "clinics.toml"
    path.write_text(CLINIC_TOML, encoding="utf-8")
    return path


def fill(db_path: Path, intakes: Sequence[Intake], *, declined: int = 0) -> Path:
    """A database with these conversations played into it, one parent each."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    engine = Engine(load_clinic_config(clinic_config_file(db_path.parent)))
    with storage.open_db(db_path) as db:
        service = IntakeService(db, engine, SECRET)
        for number, intake in enumerate(intakes, 1):
            play(service, 1000 + number, intake)
        for number in range(declined):
            play_declined(service, 9000 + number)
    return db_path


def user_ids(intakes: Sequence[Intake]) -> list[int]:
    """The Telegram ids `fill` played the conversations as (for pseudonym checks)."""
    return [1000 + number for number in range(1, len(intakes) + 1)]


#: Headless Chromium as this machine runs it for tests: no sandbox (root), no GPU, and none of
#: the background connections a closed network would refuse.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def debian_tool(command: str, package: str) -> str:
    """A program from a Debian package, installed with apt-get if missing.

    Skips the test only when installing is impossible: no apt-get, not root, or the package
    cannot be fetched (the reason is in the skip message).
    """
    found = shutil.which(command)
    if found:
        return found
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.skip(f"{command} is missing and cannot be installed here (needs apt-get as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", package]
    for step in (install, ["apt-get", "update"], install):
        result = subprocess.run(step, env=env, capture_output=True, text=True, timeout=900)
        if step is install and result.returncode == 0:
            break
    found = shutil.which(command)
    if not found:
        pytest.skip(f"installing {package} failed: {result.stderr.strip()[-500:]}")
    return found


def demo_intakes(weeks: int, seed: int = 7) -> list[Intake]:
    """A few realistic-looking weeks for two clinics: mostly mothers, some fathers, a few stops."""
    rng = random.Random(seed)
    last = WEEK_48
    intakes = []
    for week in range(weeks):
        day = last - timedelta(weeks=weeks - 1 - week)
        for _ in range(rng.randint(6, 14)):
            stop = rng.random()
            intakes.append(
                Intake(
                    day=day,
                    lang=rng.choice(("sv", "sv", "en")),
                    clinic=rng.choice(("north", "north", "south")),
                    role=rng.choices(("mother", "father", "partner", "other"), (14, 4, 1, 1))[0],
                    age=rng.choices(
                        ("under_6m", "6_12m", "1_2y", "2_3y", "over_3y"), (6, 5, 3, 1, 1)
                    )[0],
                    baby=rng.choice(tuple(BABY)),
                    parent=rng.choices(tuple(PARENT), (6, 3, 2))[0],
                    wellbeing=rng.choice(("mostly_ok", "strained", "low")),
                    safety=rng.choices(("no", "yes_unwanted", "yes_afraid"), (30, 3, 1))[0],
                    stop_after=(
                        rng.choice(("role", "baby_reacts", "wish_main", "free_text", SUMMARY))
                        if stop < 0.25
                        else None
                    ),
                )
            )
    return intakes


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a demo intake database for the staff tools")
    parser.add_argument("db", type=Path)
    parser.add_argument("--weeks", type=int, default=8)
    args = parser.parse_args()
    if args.db.exists():
        parser.error(f"{args.db} exists already")
    fill(args.db, demo_intakes(args.weeks))
    print(f"wrote {args.db}; clinic codes: north, south (see {args.db.parent / 'clinics.toml'})")


if __name__ == "__main__":
    main()
