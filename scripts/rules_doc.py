"""Write or check the list of crisis rules in docs/safety.md, generated from their data file.

    .venv/bin/python -m scripts.rules_doc --write   # after changing flows/lexicons/rules.toml
    .venv/bin/python -m scripts.rules_doc --check   # what the test does: fails when stale

The list sits between two markers in docs/safety.md; everything else there is written by hand.
Rules and groups are shown as the file writes them (a group by its name, in italics), after the
file has been read and checked by ``flows.crisis_rules``.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from flows.crisis_rules import rules

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "safety.md"
BEGIN = "<!-- The rules below are generated from flows/lexicons/rules.toml: `make docs`. -->"
END = "<!-- End of the generated rules. -->"


def _name(name: str, groups: set[str]) -> str:
    return f"*{name}*" if name in groups else f"`{name}`"


def _needs(entry: str | list[str], groups: set[str]) -> str:
    if isinstance(entry, str):
        return _name(entry, groups)
    return "(" + " or ".join(_name(name, groups) for name in entry) + ")"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def rules_section() -> str:
    """The generated part of docs/safety.md: the groups, then each family's rules."""
    book = rules()  # read and checked: the file is as the loader wants it
    text = (resources.files("flows") / "lexicons" / "rules.toml").read_text("utf-8")
    document = tomllib.loads(text)
    groups = set(book.groups)
    out = [
        BEGIN,
        "",
        f"{len(book.rules)} rules in {len(document['family'])} families. A rule fires when one"
        " word of each of its entries (joined by +) stands within so many words of the others,"
        " in one sentence and in any order, and none of the words it is not with stands within"
        " so many words of them. *Italics* name a group:",
        "",
        "| group | any one of | what it is |",
        "| --- | --- | --- |",
    ]
    for name, spec in document["groups"].items():
        members = ", ".join(_name(m, groups) for m in spec["concepts"])
        out.append(f"| *{name}* | {members} | {_cell(' '.join(spec['about'].split()))} |")
    loaded = iter(book.rules)  # in the file's order: sizes and flags as the loader read them
    for family in document["family"]:
        out += ["", f"### {family['name']}", ""]
        out += ["| rule | level | one word of each | within | not with | within |"]
        out += ["| --- | --- | --- | --- | --- | --- |"]
        for spec in family["rule"]:
            rule = next(loaded)
            name = rule.name + (f": *{rule.note}*" if rule.note else "")
            level = rule.level + (", accidental" if rule.accidental else "")
            needs = " + ".join(_needs(entry, groups) for entry in spec["needs"])
            window = f"{rule.window}" + (", across sentences" if rule.across else "")
            unless = ", ".join(_name(name, groups) for name in spec.get("unless", []))
            reach = f"{rule.reach}" if unless else ""
            out.append(f"| {_cell(name)} | {level} | {needs} | {window} | {unless} | {reach} |")
    return "\n".join([*out, "", END])


def document_with_rules(document: str) -> str:
    """The document with its generated part replaced by the current one."""
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + rules_section() + document[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The rules' list in docs/safety.md")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite the generated part")
    action.add_argument("--check", action="store_true", help="fail when it is stale")
    args = parser.parse_args(argv)
    current = DOC_PATH.read_text(encoding="utf-8")
    fresh = document_with_rules(current)
    if args.write:
        DOC_PATH.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != current:
        print("docs/safety.md: the list of rules is stale: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
