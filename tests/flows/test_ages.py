"""A typed age read into its band: only a text that is nothing but an age, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.ages import age_band_of, age_in_months
from flows.questions import AGE_BANDS


@pytest.mark.parametrize(
    ("typed", "months"),
    [
        ("8 månader", 8),
        ("14 mån", 14),
        ("1,5 år", 18),
        ("two years old", 24),
        ("she's 8 months old", 8),
        ("hon är 1 år och 3 månader", 15),
        ("half a year", 6),
        ("ett halvår", 6),
        ("6 weeks", 6 * 7 / 30.4),
    ],
)
def test_ages_in_months_and_years_in_both_languages(typed: str, months: float) -> None:
    assert age_in_months(typed) == pytest.approx(months)


@pytest.mark.parametrize(
    ("typed", "band"),
    [
        *(("5 months", "under_6m"), ("6 months", "6_12m"), ("11 mån", "6_12m")),
        *(("1 year", "1_2y"), ("23 months", "1_2y"), ("2 år", "2_3y")),
        *(("35 months", "2_3y"), ("3 years", "over_3y"), ("almost 0 days", "under_6m")),
    ],
)
def test_a_band_starts_at_its_first_month(typed: str, band: str) -> None:
    assert age_band_of(typed) == band


@given(st.text(max_size=200))
def test_any_text_reads_as_a_band_or_as_nothing(text: str) -> None:
    assert age_band_of(text) in (*AGE_BANDS, None)


@given(st.from_regex(r"[0-9 ,.]{0,30}(months|år|mån|years|veckor)?[ a-z]{0,20}", fullmatch=True))
def test_numbers_of_any_size_never_break_the_reader(text: str) -> None:
    months = age_in_months(text)
    assert months is None or months + 0.5 >= 0
