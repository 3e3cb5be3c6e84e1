"""The staff catalog: both languages complete, every code and column described in both."""

from __future__ import annotations

import pytest

from bot.staff import texts
from bot.staff.codebook import EXPORT_COLUMNS, codebook
from flows.model import LANGUAGES, Language
from flows.questions import PROGRESS_STEPS
from flows.texts import MissingTextError, placeholders
from storage.schema import RECORD_COLUMNS, STAFF_TABLES, TABLES
from storage.scrub import PLACEHOLDERS

#: Swedish only: the English meanings are storage's own (storage/schema.py).
TRANSLATED = ("table.", "column.")


def test_both_catalogs_have_the_same_keys_and_placeholders() -> None:
    english = {k: v for k, v in texts.catalog("en").items() if not k.startswith(TRANSLATED)}
    swedish = {k: v for k, v in texts.catalog("sv").items() if not k.startswith(TRANSLATED)}
    assert sorted(set(english) ^ set(swedish)) == [], "a key is missing in one language"
    for key, template in english.items():
        assert placeholders(template) == placeholders(swedish[key]), key
        assert template.strip(), key
        assert swedish[key].strip(), key


def test_swedish_describes_exactly_the_staff_tables_and_columns() -> None:
    swedish = texts.catalog("sv")
    described = {key for key in swedish if key.startswith(TRANSLATED)}
    expected = {f"table.{table}" for table in STAFF_TABLES} | {
        f"column.{table}.{column}" for table in STAFF_TABLES for column in TABLES[table].columns
    }
    assert described == expected
    assert not any(key.startswith(TRANSLATED) for key in texts.catalog("en"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_and_step_has_a_label(lang: str) -> None:
    language = texts.language(lang)
    for column, meaning in RECORD_COLUMNS.items():
        for code in meaning.codes:
            assert texts.code_label(language, column, code), (column, code)
    for step in PROGRESS_STEPS:
        assert texts.step_label(language, step)
    entries = codebook(EXPORT_COLUMNS)
    assert [entry.name for entry in entries] == list(EXPORT_COLUMNS)
    assert all(entry.meaning[language] for entry in entries)


def test_a_missing_key_is_an_error_not_a_blank() -> None:
    with pytest.raises(MissingTextError, match=r"sv:stats\.nonexistent"):
        texts.text("sv", "stats.nonexistent")


def test_percentages_are_written_the_way_each_language_writes_them() -> None:
    assert texts.percent("en", 0.5) == "50%"
    assert texts.percent("sv", 2 / 3, about=True) == "≈ 67 %"
    assert texts.percent("sv", None) == "–"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_codebook_names_every_placeholder_the_scrubber_writes(lang: Language) -> None:
    meaning = texts.column_meaning(lang, "intakes", "free_text")
    assert [kind for kind in PLACEHOLDERS if f"[{kind}]" not in meaning] == []
