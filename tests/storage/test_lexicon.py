"""The scrubber's lists: their shape, and the word list's lookup."""

from __future__ import annotations

from importlib import resources

import pytest

from storage.names import WordList, lexicon

FOLDER = resources.files("storage").joinpath("lexicon")


def test_the_word_list_is_sorted_lower_case_and_names_nobody() -> None:
    words = FOLDER.joinpath("words.txt").read_text("utf-8").splitlines()
    assert len(words) > 40_000
    assert words == sorted(set(words))  # WordList looks words up by bisection
    assert all(word == word.lower() and word.strip() == word and word for word in words)
    assert not [word for word in words if word in lexicon().tiers]
    assert {"sambon", "dottern", "frugan", "undrar", "sorry", "honestly"} <= set(words)


@pytest.mark.parametrize(
    "file", ["names_wide.txt", "names_world.txt", "names_added_wide.txt", "names_added.txt"]
)
def test_name_files_are_one_name_a_line(file: str) -> None:
    names = FOLDER.joinpath(file).read_text("utf-8").splitlines()
    assert names
    assert all(name.strip() == name and " " not in name and name for name in names)


def test_towns_are_no_names_on_their_own() -> None:
    tiers = lexicon().tiers
    for town in ("sala", "alby", "lahti", "harlow", "chester", "eskilstuna", "hägersten"):
        assert town not in tiers or town in lexicon().not_names, town


def test_word_list_lookup() -> None:
    words = WordList("alfa\nbeta\ngamma\nålder\n".encode())
    assert len(words) == 4
    assert [words[index].decode() for index in range(4)] == ["alfa", "beta", "gamma", "ålder"]
    assert all(word in words for word in ("alfa", "beta", "gamma", "ålder"))
    assert not any(word in words for word in ("al", "alfab", "delta", "ö", "", 3))
