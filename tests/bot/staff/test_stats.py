"""`intake stats` and the figures behind it, on conversations played through the real engine."""

from __future__ import annotations

from pathlib import Path

import pytest

import storage
from bot.cli import main
from bot.staff import figures
from bot.staff.selection import Selection, StaffData, load
from flows.questions import PROGRESS_STEPS
from tests.support.staff import FREE_TEXT_WORDS


def data_of(db_path: Path, since: str | None = None, clinic: str | None = None) -> StaffData:
    with storage.open_db(db_path) as db:
        return load(db, Selection(since, clinic))


def test_started_completed_and_the_older_child_end(standard_db: Path) -> None:
    overview = figures.overview(data_of(standard_db))
    assert (overview.started, overview.completed, overview.older_child) == (11, 8, 1)
    assert overview.completion == pytest.approx(8 / 11)


def test_drop_off_question_by_question(standard_db: Path) -> None:
    steps = {
        step.step: (step.reached, step.stopped) for step in figures.funnel(data_of(standard_db))
    }
    assert tuple(steps) == PROGRESS_STEPS  # in the order of the conversation
    assert steps["role"] == (11, 1)  # one parent went no further than the first question
    assert steps["age_band"] == (10, 0)  # the older child's intake ended here, complete
    assert steps["baby_reacts"] == (9, 0)
    assert steps["baby_distress"] == (9, 1)  # one parent sent /stop here
    assert steps["free_text"] == (8, 0)
    assert steps["summary"] == (8, 1)  # one parent never confirmed the summary
    assert steps["done"] == (7, 0)


def test_suggestions_roles_languages_and_safety(standard_db: Path) -> None:
    intakes = data_of(standard_db).intakes
    assert figures.tally(intakes, "suggestion") == {
        "mip": 3, "mip_with_guidance": 1, "mip_may_suit": 1, "chc": 1, "chc_first": 0,
        "both": 1, "older_child": 1,
    }  # fmt: skip
    assert figures.tally(intakes, "role") == {"mother": 5, "father": 1, "partner": 1, "other": 1}
    assert figures.tally(intakes, "lang") == {"en": 5, "sv": 3}
    assert figures.tally(intakes, "safety_level") == {
        "none": 6, "unwanted_thoughts": 1, "danger": 1,
    }  # fmt: skip
    assert figures.tally(intakes, "safety_answer") == {
        "no": 6, "yes_unwanted": 1, "yes_afraid": 1, "yes_self": 0,  # the older child's too
    }  # fmt: skip


def test_judgements_beside_the_research_sample(standard_db: Path) -> None:
    intakes = data_of(standard_db).intakes
    baby = {row.code: row for row in figures.judgement_shares(intakes, "baby_judgement")}
    assert {code: row.count for code, row in baby.items()} == {
        "affected": 4, "not_affected": 2, "unclear": 1,
    }  # fmt: skip
    assert baby["affected"].of_judged == pytest.approx(4 / 7)
    assert baby["affected"].of_clear == pytest.approx(4 / 6)
    assert baby["affected"].research == pytest.approx(0.5)
    assert baby["unclear"].of_clear is None
    assert baby["unclear"].research is None
    parent = {row.code: row for row in figures.judgement_shares(intakes, "parent_judgement")}
    assert {code: row.count for code, row in parent.items()} == {
        "understand": 3, "advice": 2, "mixed": 2,
    }  # fmt: skip
    assert parent["understand"].of_clear == pytest.approx(3 / 5)
    assert parent["understand"].research == pytest.approx(2 / 3)
    assert parent["advice"].research == pytest.approx(1 / 3)


def test_roles_carry_their_own_judgements(standard_db: Path) -> None:
    roles = {row.role: row for row in figures.role_figures(data_of(standard_db).intakes)}
    assert roles["mother"].count == 5
    assert roles["mother"].baby_affected == pytest.approx(4 / 5)
    assert roles["mother"].wants_to_understand == pytest.approx(3 / 5)
    assert roles["father"].wants_to_understand == 0
    assert roles["other"].baby_affected is None  # older child: no judgement


def test_a_clinic_and_a_first_week_narrow_everything(standard_db: Path) -> None:
    data = data_of(standard_db, since="2026-W48", clinic="south")
    overview = figures.overview(data)
    assert (overview.started, overview.completed) == (4, 3)
    assert figures.tally(data.intakes, "suggestion")["mip_may_suit"] == 1
    assert figures.overview(data_of(standard_db, since="2026-W48")).completed == 5
    assert figures.overview(data_of(standard_db, clinic="north")).started == 7


def test_weekly_series_fill_every_week(standard_db: Path) -> None:
    weekly = figures.weekly(data_of(standard_db))
    assert weekly.weeks == ("2026-W47", "2026-W48")
    assert weekly.started == (4, 7)
    assert weekly.completed == (3, 5)
    assert weekly.by("suggestion")["mip"] == (1, 2)
    assert figures.weeks_between("2025-W52", "2026-W02") == ["2025-W52", "2026-W01", "2026-W02"]


def test_the_command_prints_the_figures_in_english(
    standard_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(standard_db)]) == 0
    out = capsys.readouterr().out
    assert "Intakes: all clinics, all weeks" in out
    for line in ("Started (gave consent)", "Completed", "73%", "Research sample", "≈ 67%"):
        assert line in out
    assert FREE_TEXT_WORDS not in out
    assert "[phone]" not in out


def test_the_small_cell_rule_hides_small_counts_and_any_that_would_give_one_away() -> None:
    assert figures.hidden_cells({"a": 12, "b": 7, "c": 0}) == {"c", "b"}  # 19 - 12 = 7 -> 0
    assert figures.hidden_cells({"a": 12, "b": 7, "c": 3, "d": 1}) == {"c", "d"}
    assert figures.hidden_cells({"a": 12, "b": 7}) == set()
    assert figures.hidden_cells({"a": 4}) == {"a"}


def test_the_command_shows_small_counts_as_less_than_five_without_shares(
    standard_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(standard_db)]) == 0
    out = capsys.readouterr().out
    suggestions = out[out.index("Suggestions (n = 8)") : out.index("Is the baby affected?")]
    rows = [line.split() for line in suggestions.splitlines() if line.rstrip().endswith("–")]
    assert len(rows) == 7  # every suggestion: fewer than 5 intakes each
    assert all(row[-3:] == ["<", "5", "–"] for row in rows), rows
    assert "Started and completed (n = 11)" in out
    assert "n = 7 judged intakes, 6 of them clear." in out
    roles = out[out.index("Who was chatting (n = 8)") : out.index("Languages (n = 8)")]
    mothers = next(line.split() for line in roles.splitlines() if "Mother" in line)
    # 5 mothers (62% of 8), 4 of their babies affected: a share would show the one who is not.
    assert mothers[1:] == ["5", "62%", "–", "–"]


def test_the_command_speaks_swedish_and_narrows(
    standard_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["stats", "--db", str(standard_db), "--lang", "sv", "--clinic", "south"]
    assert main([*args, "--since", "2026-w48"]) == 0
    out = capsys.readouterr().out
    assert "Intag: mottagning south, från och med 2026-W48" in out
    assert "Påbörjade (gav samtycke)" in out
    assert "75 %" in out  # 3 of 4 completed


def test_an_empty_database_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    storage.open_db(tmp_path / "empty.db").close()
    assert main(["stats", "--db", str(tmp_path / "empty.db")]) == 0
    assert "No intakes in this selection yet." in capsys.readouterr().out


def test_a_wrong_database_path_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", str(tmp_path / "typo.db")]) == 2
    assert "There is no intake database at" in capsys.readouterr().err
    assert not (tmp_path / "typo.db").exists()


def test_a_week_must_look_like_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["stats", "--since", "last week"])
    assert "not an ISO week" in capsys.readouterr().err
