"""The rules of crisis detection as data: flows/lexicons/rules.toml is read and checked once.

What the rules find is measured in test_safety.py; here: the shipped file loads, every group
is used, the list in docs/safety.md is the file's, and a file with an unknown concept, group,
level or key is refused with an error that names the rule.
"""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from flows.crisis_rules import LEVEL_GROUPS, RulesError, known_concepts, load_rules, rules
from flows.safety import concepts
from scripts.rules_doc import DOC_PATH, document_with_rules
from tests.support.safety_corpus import DATA, read_corpus

#: The groups the code reads, each with one concept, so a small file is complete.
LEVEL_GROUPS_TOML = "".join(
    f'[groups.{name}]\nabout = "chooses levels"\nconcepts = ["fear"]\n' for name in LEVEL_GROUPS
)
KNOWN = frozenset({"wish", "death", "fear", "baby", "baby_subject"})


def rules_file(rule: str, groups: str = "", family: str = "") -> str:
    """A rules file with the level groups, `groups`, and one family holding `rule`."""
    return (
        f"{LEVEL_GROUPS_TOML}{groups}\n[[family]]\nname = 'a family'\n{family}\n"
        f"[[family.rule]]\n{rule}\n"
    )


WISH_TO_DIE = 'name = "wish to die"\nlevel = "danger"\nneeds = ["wish", "death"]'


def test_the_shipped_rules_load_with_a_name_and_a_family_each() -> None:
    book = rules()
    assert len(book.rules) > 100
    names = [rule.name for rule in book.rules]
    assert len(names) == len(set(names))
    assert all(rule.family and rule.needs for rule in book.rules)
    assert rules() is book  # read once


def test_every_group_is_used_by_a_rule_a_group_or_the_choice_of_level() -> None:
    text = (resources.files("flows") / "lexicons" / "rules.toml").read_text("utf-8")
    document = tomllib.loads(text)
    named: set[str] = set(LEVEL_GROUPS)
    for spec in document["groups"].values():
        named |= set(spec["concepts"])
    for family in document["family"]:
        for rule in family["rule"]:
            for entry in [*rule["needs"], *rule.get("unless", [])]:
                named |= {entry} if isinstance(entry, str) else set(entry)
    assert set(document["groups"]) <= named


def test_a_group_is_read_as_its_concepts_in_order_each_once() -> None:
    groups = (
        '[groups.the_baby]\nabout = "the baby"\nconcepts = ["baby", "baby_subject"]\n'
        '[groups.near_baby]\nabout = "a group of a group"\nconcepts = ["the_baby", "baby"]\n'
    )
    rule = 'name = "r"\nlevel = "baby"\nneeds = [["wish", "near_baby"], "death"]\nunless = "fear"'
    (found,) = load_rules(rules_file(rule, groups), KNOWN).rules
    assert found.needs == (("wish", "baby", "baby_subject"), ("death",))
    assert found.unless == ("fear",)
    assert (found.window, found.reach, found.across, found.accidental) == (6, 3, False, False)
    assert found.family == "a family"


@pytest.mark.parametrize(
    ("rule", "groups", "message"),
    [
        (WISH_TO_DIE.replace('"death"', '"deth"'), "", "rule 'wish to die': 'deth' is neither"),
        (WISH_TO_DIE + '\nunless = ["the_babby"]', "", "rule 'wish to die': 'the_babby' is"),
        (WISH_TO_DIE.replace('"danger"', '"urgent"'), "", "rule 'wish to die': level 'urgent'"),
        (WISH_TO_DIE + "\nwindw = 4", "", "rule 'wish to die': unknown keys ['windw']"),
        (WISH_TO_DIE + '\nwindow = "6"', "", "rule 'wish to die': window must be a number"),
        (WISH_TO_DIE + "\nreach = -1", "", "rule 'wish to die': reach must be a number"),
        (WISH_TO_DIE + "\nacross = 1", "", "rule 'wish to die': across must be true or false"),
        (WISH_TO_DIE + "\naccidental = true", "", "rule 'wish to die': only a baby or method"),
        (WISH_TO_DIE.replace('["wish", "death"]', "[]"), "", "rule 'wish to die': needs must"),
        (WISH_TO_DIE.replace('"death"', "[]"), "", "rule 'wish to die': needs: expected a name"),
        (WISH_TO_DIE.replace('"wish to die"', '""'), "", "family 'a family': a rule's name"),
        ('level = "danger"\nneeds = ["wish"]', "", "family 'a family': a rule's name"),
        (
            WISH_TO_DIE,
            '[groups.early]\nabout = "x"\nconcepts = ["later"]\n'
            '[groups.later]\nabout = "x"\nconcepts = ["wish"]\n',
            "group 'early': 'later' is neither a concept nor a group named before",
        ),
        (WISH_TO_DIE, '[groups.wish]\nabout = "x"\nconcepts = ["fear"]\n', "group 'wish' has"),
        (WISH_TO_DIE, '[groups.g]\nconcepts = ["fear"]\n', "group 'g': about: expected a text"),
        (WISH_TO_DIE, '[groups.g]\nabout = "x"\nconcepts = []\n', "group 'g': concepts:"),
    ],
)
def test_a_rules_file_with_a_mistake_is_refused_naming_the_rule(
    rule: str, groups: str, message: str
) -> None:
    with pytest.raises(RulesError) as raised:
        load_rules(rules_file(rule, groups), KNOWN)
    assert message in str(raised.value)


def test_a_rules_file_must_define_the_groups_that_choose_levels_and_name_rules_once() -> None:
    without = rules_file(WISH_TO_DIE).replace("[groups.framing]", "[groups.framed]")
    with pytest.raises(RulesError, match=r"\['framing'\] choose levels"):
        load_rules(without, KNOWN)
    twice = rules_file(WISH_TO_DIE, family=f"[[family.rule]]\n{WISH_TO_DIE}")
    with pytest.raises(RulesError, match=r"unique: \['wish to die'\]"):
        load_rules(twice, KNOWN)
    with pytest.raises(RulesError, match="not TOML"):
        load_rules("[[family]\n", KNOWN)
    with pytest.raises(RulesError, match=r"unknown keys \['rules'\]"):
        load_rules(LEVEL_GROUPS_TOML + "[[rules]]\nname = 'x'\n", KNOWN)


def test_the_readings_add_no_concept_the_rules_could_not_name() -> None:
    # The rules may name a concept of the lexicons or one the readings declare they derive:
    # a reading that adds an undeclared concept would leave rules needing it refused.
    known = known_concepts()
    texts = [
        row.text
        for language in ("en", "sv")
        for row in read_corpus(DATA / f"safety_{language}.tsv")
    ]
    seen = {concept for text in texts for _, found in concepts(text) for concept in found}
    assert seen <= known, seen - known


def test_the_docs_list_the_rules_of_the_file() -> None:
    document = DOC_PATH.read_text(encoding="utf-8")
    assert document_with_rules(document) == document, "run `make docs`"
    for rule in rules().rules:
        assert f"| {rule.name}" in document, rule.name
