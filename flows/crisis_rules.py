"""The rules of crisis detection, read from their data file and checked once.

The rules are data a clinician can read: ``flows/lexicons/rules.toml`` says, for each rule,
which concepts must stand near each other and what level they call for, and names the groups
of concepts the rules share ("intending", "the_baby"). Its header explains every field;
docs/safety.md lists the rules, generated from it. The file is read on first use; a concept, a
group or a level that does not exist is an error naming the rule, so a typo in the data fails
every test instead of silently never matching.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final

from flows import crisis_aims, crisis_neighbours
from flows.lexicon import lexicon

DANGER: Final = "danger"
UNWANTED: Final = "unwanted_thoughts"
#: A rule about harm to the baby: its level is read from the words around it.
BABY: Final = "baby"
#: A method of ending one's life: danger, unless the baby is in the sentence, where it is read
#: like harm to the baby ("I keep picturing the car crashing with him in it" is an unwanted
#: thought; "I think about driving into the river with her" is danger).
METHOD: Final = "method"
LEVELS: Final = (DANGER, UNWANTED, BABY, METHOD)
#: The groups the code reads by name to choose the level of a BABY or METHOD rule.
LEVEL_GROUPS: Final = ("strong", "pictured_only", "wanted", "framing")
#: A rule's window and reach, in words, when the file does not give them.
WINDOW: Final = 6
REACH: Final = 3

_RULE_KEYS: Final = frozenset(
    {"name", "level", "needs", "window", "unless", "reach", "across", "accidental", "note"}
)


class RulesError(ValueError):
    """The rules file is not as its header describes; the message names the rule or group."""


@dataclass(frozen=True, slots=True)
class Rule:
    """Concepts that together are a crisis signal: one of each group, within `window` words."""

    name: str
    level: str  # one of LEVELS: BABY and METHOD are read from the words around the match
    needs: tuple[tuple[str, ...], ...]
    window: int = WINDOW
    unless: tuple[str, ...] = ()  # none of these within `reach` words of the match
    reach: int = REACH
    across: bool = False  # the words may stand in neighbouring sentences ("I'm done. goodbye")
    accidental: bool = False  # dropping, falling, dying: only a wish or a plan is intent
    family: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """Concepts the rules share under one name: any one of them will do."""

    name: str
    about: str
    concepts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleBook:
    """The rules in the order they are checked, and the named groups, expanded to concepts."""

    rules: tuple[Rule, ...]
    groups: Mapping[str, Group]

    def concepts(self, group: str) -> frozenset[str]:
        """The concepts of a named group."""
        return frozenset(self.groups[group].concepts)


@functools.cache
def rules() -> RuleBook:
    """The rules of ``flows/lexicons/rules.toml``, read and checked once, on first use."""
    text = (resources.files("flows") / "lexicons" / "rules.toml").read_text("utf-8")
    try:
        return load_rules(text, known_concepts())
    except RulesError as error:
        raise RulesError(f"flows/lexicons/rules.toml: {error}") from None


def known_concepts() -> frozenset[str]:
    """The concepts a rule may name: the lexicons', and those the local readings derive."""
    return frozenset(lexicon().about) | crisis_aims.DERIVED | crisis_neighbours.DERIVED


def load_rules(text: str, known: Collection[str]) -> RuleBook:
    """The rules of a rules file; raises RulesError naming the rule or group at fault."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"not TOML: {error}") from error
    _only(document, {"groups", "family"}, "the file")
    groups = _groups(_table(document.get("groups", {}), "groups"), known)
    missing = [name for name in LEVEL_GROUPS if name not in groups]
    if missing:
        raise RulesError(f"the groups {missing} choose levels and must be defined")
    found: list[Rule] = []
    for family in _tables(document.get("family", []), "family"):
        _only(family, {"name", "rule"}, "a family")
        name = _text(family.get("name"), "a family's name")
        for spec in _tables(family.get("rule", []), f"family {name!r}"):
            found.append(_rule(spec, name, groups, known))
    if not found:
        raise RulesError("no rule in the file")
    names = [rule.name for rule in found]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise RulesError(f"rule names must be unique: {twice}")
    return RuleBook(tuple(found), groups)


def _groups(specs: Mapping[str, object], known: Collection[str]) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for name, spec in specs.items():
        where = f"group {name!r}"
        table = _table(spec, where)
        _only(table, {"about", "concepts"}, where)
        if name in known:
            raise RulesError(f"{where} has the name of a concept: name it otherwise")
        members = _names(table.get("concepts"), f"{where}: concepts")
        concepts = _expand(members, groups, known, where)
        groups[name] = Group(name, _text(table.get("about"), f"{where}: about"), concepts)
    return groups


def _rule(
    spec: dict[str, object], family: str, groups: Mapping[str, Group], known: Collection[str]
) -> Rule:
    name = _text(spec.get("name"), f"family {family!r}: a rule's name")
    where = f"rule {name!r}"
    _only(spec, _RULE_KEYS, where)
    level = spec.get("level")
    if level not in LEVELS:
        raise RulesError(f"{where}: level {level!r} is none of {list(LEVELS)}")
    needs = spec.get("needs")
    if not isinstance(needs, list) or not needs:
        raise RulesError(f"{where}: needs must be a list of concepts, groups or lists of them")
    unless = _names(spec.get("unless", []), f"{where}: unless", empty=True)
    accidental = _flag(spec, "accidental", where)
    if accidental and level not in (BABY, METHOD):
        raise RulesError(f"{where}: only a baby or method rule can be accidental")
    return Rule(
        name,
        str(level),
        tuple(_expand(_names(entry, f"{where}: needs"), groups, known, where) for entry in needs),
        window=_count(spec, "window", WINDOW, where),
        unless=_expand(unless, groups, known, where),
        reach=_count(spec, "reach", REACH, where),
        across=_flag(spec, "across", where),
        accidental=accidental,
        family=family,
        note=_text(spec.get("note", ""), f"{where}: note", empty=True),
    )


def _expand(
    names: list[str], groups: Mapping[str, Group], known: Collection[str], where: str
) -> tuple[str, ...]:
    """Concepts and named groups as concepts, in order, each once."""
    out: dict[str, None] = {}
    for name in names:
        if name in groups:
            out.update(dict.fromkeys(groups[name].concepts))
        elif name in known:
            out[name] = None
        else:
            raise RulesError(f"{where}: {name!r} is neither a concept nor a group named before")
    return tuple(out)


def _names(value: object, where: str, *, empty: bool = False) -> list[str]:
    """One name, or a list of names (not empty, unless `empty`)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and (value or empty):
        return value
    raise RulesError(f"{where}: expected a name or a list of names, not {value!r}")


def _count(spec: Mapping[str, object], key: str, default: int, where: str) -> int:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RulesError(f"{where}: {key} must be a number of words, not {value!r}")
    return value


def _flag(spec: Mapping[str, object], key: str, where: str) -> bool:
    value = spec.get(key, False)
    if not isinstance(value, bool):
        raise RulesError(f"{where}: {key} must be true or false, not {value!r}")
    return value


def _text(value: object, where: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or not (empty or value.strip()):
        raise RulesError(f"{where}: expected a text, not {value!r}")
    return value


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise RulesError(f"{where}: expected a table, not {value!r}")
    return value


def _tables(value: object, where: str) -> list[dict[str, object]]:
    if not isinstance(value, list):
        raise RulesError(f"{where}: expected a list of tables, not {value!r}")
    return [_table(v, where) for v in value]


def _only(table: Mapping[str, object], keys: Collection[str], where: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise RulesError(f"{where}: unknown keys {unknown} (expected some of {sorted(keys)})")
