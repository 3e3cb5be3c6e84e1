"""Generated docs: the state diagram (transitions' mermaid engine), every question, and every
message the bot can send, in English and Swedish side by side, so a clinician can review the
whole conversation in one document.

`intake docs --write` regenerates docs/flow.md; `intake docs --check` (and a test) fails when
the committed file no longer matches the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.clinic import load_clinic_config
from flows.machine import build_machine
from flows.model import LANGUAGES, Conversation, Language
from flows.notes import COUNTED, NOTE
from flows.questions import FREE_TEXT_LIMIT, QUESTIONS, SUGGESTION
from flows.replies import Replies
from flows.routing import ROUTING_TABLE, Routing, Suggestion, reasons_for
from flows.screens import BACK, SCREENS, shown
from flows.texts import catalog, render

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "flow.md"
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska"}


def mermaid_diagram() -> str:
    """The conversation's state machine as a mermaid stateDiagram."""
    from transitions.extensions import GraphMachine

    class Drawing:
        pass

    model = Drawing()
    build_machine(
        model, machine_class=GraphMachine, graph_engine="mermaid", title="Intake conversation"
    )
    graph = model.get_graph()  # type: ignore[attr-defined]
    return str(graph.draw(None)).strip() + "\n"


def question_list() -> str:
    """Every question and its options, in each language, as Markdown."""
    parts: list[str] = []
    for lang in LANGUAGES:
        parts.append(f"### {LANGUAGE_NAMES[lang]}\n")
        for number, question in enumerate(QUESTIONS, 1):
            text = " ".join(render(lang, f"q.{question.key}").split())
            parts.append(f"{number}. **{question.key}**: {text}")
            codes = question.codes or ("skip",)
            prefix = "free_text" if question.is_free_text else question.key
            for code in codes:
                parts.append(f"   - `{code}`: {render(lang, f'o.{prefix}.{code}')}")
        parts.append(f"\nEvery question also has `{BACK}`: {render(lang, 'nav.back')}\n")
    return "\n".join(parts)


#: Values for the placeholders a few texts take besides the clinic's (what the engine passes).
EXAMPLE_VALUES: dict[str, int] = {"limit": FREE_TEXT_LIMIT, "sessions": 1, "intakes": 1}


def cell_text(text: str) -> str:
    """A text in a Markdown table cell: its line breaks kept as <br>, no column breaks."""
    return text.strip().replace("|", "\\|").replace("\n", "<br>")


def _table(rows: list[tuple[str, dict[Language, str]]]) -> str:
    head = "| | English | Svenska |\n| --- | --- | --- |\n"
    return head + "".join(
        f"| {name} | {cell_text(texts['en'])} | {cell_text(texts['sv'])} |\n"
        for name, texts in rows
    )


class _Messages:
    """Every text of the parents' catalogs, rendered as the bot sends it, each shown once."""

    def __init__(self) -> None:
        self.clinics = load_clinic_config()
        self.replies = Replies(self.clinics)
        self.seen: set[str] = set()

    def text(self, key: str, **counts: int) -> dict[Language, str]:
        self.seen.add(key)
        values = {**EXAMPLE_VALUES, **counts}
        return {
            lang: render(lang, key, **self.clinics.values(lang, ""), **values) for lang in LANGUAGES
        }

    def row(self, key: str) -> tuple[str, dict[Language, str]]:
        return f"`{key}`", self.text(key)

    def screens(self) -> str:
        """Each screen's text (and its shorter ask, shown again after a text of its own) and
        its buttons; a question's note after an answer beside it."""
        rows: list[tuple[str, dict[Language, str]]] = []
        for screen in SCREENS.values():
            rows.append(self.row(screen.text))
            if screen.again:
                rows.append(self.row(screen.again))
            every = {b.code: "" for b in screen.buttons}  # all buttons: every answer given
            buttons = [b for b in screen.buttons if shown(b, every)]
            if buttons:
                labels = dict.fromkeys(LANGUAGES, "")
                for button in buttons:
                    self.seen.add(button.label)
                    for lang in LANGUAGES:
                        labels[lang] += f"[{render(lang, button.label)}] "
                rows.append((f"buttons of `{screen.name}`", labels))
            for button in screen.buttons:
                if button.show:
                    rows.append(self.row(button.show))
            for _, note in screen.question.notes if screen.question else ():
                rows.append(self.row(note))
        return _table(list(dict(rows).items()))  # each text once

    def suggestions(self) -> str:
        """The result for each cell of the routing table, as the messages the bot sends."""
        rows = []
        for (baby, parent), code in ROUTING_TABLE.items():
            wish = {"understand": "understand", "advice": "advice"}.get(parent, "both")
            reasons = reasons_for({"wish_main": wish}, baby, parent)
            routing = Routing(baby, parent, code, reasons)
            rows.append((f"{baby}, {parent}: `{code}`", self._result(routing)))
        older: Suggestion = "older_child"
        routing = Routing("unclear", "mixed", older, ())
        rows.append((f"child older than three: `{older}`", self._result(routing)))
        return _table(rows)

    def _result(self, routing: Routing) -> dict[Language, str]:
        texts = {}
        for lang in LANGUAGES:
            conv = Conversation(state=SUGGESTION, lang=lang)
            texts[lang] = "\n\n".join(r.text for r in self.replies.suggestion(conv, routing))
        self.seen.add(f"suggest.{routing.suggestion}")
        self.seen.add(f"suggest.next.{routing.suggestion}")
        self.seen |= set(routing.reasons) | {NOTE.provisional}
        return texts

    def the_rest(self) -> str:
        """Every other text in the catalog's order: reasons, crisis replies, notes, the bot's
        own; a text with counts once for each plural form."""
        counted = {f"{key}.{name}." for key, names in COUNTED.items() for name in names}
        rows = []
        for key in catalog("en"):
            if key in self.seen or any(key.startswith(prefix) for prefix in counted):
                continue
            rows.append(self.row(key))
            if key in COUNTED:
                values = dict.fromkeys(COUNTED[key], 2)
                rows.append((f"`{key}` (counts of 2)", self.text(key, **values)))
        return _table(rows)


def message_list() -> str:
    """Every message the bot can send, in both languages, as Markdown tables."""
    messages = _Messages()
    return (
        "Rendered with the shipped clinic configuration (`flows/clinics/sweden.toml`); a "
        "clinic's own file changes the help numbers and contacts. Each text is named by its "
        "catalog key (`flows/texts/en.toml`, `sv.toml`). A reply of several texts is sent as "
        "few messages as fit a phone screen; a crisis reply and the suggestion's headline "
        "always alone.\n\n"
        "### Screens, in the conversation's order\n\n" + messages.screens() + "\n"
        "### The suggestion, for each cell of the routing table\n\n"
        "The headline (what may suit, one reason for each judgement, and that a clinician looks "
        "too), then how to go on. A mixed wish is shown for a parent who chose “both”; the "
        "other reasons are listed below.\n\n" + messages.suggestions() + "\n"
        "### Everything else\n\n" + messages.the_rest()
    )


def flow_document() -> str:
    return (
        "# The intake conversation\n\n"
        "Generated from the code by `intake docs --write`; a test fails when it is stale.\n\n"
        "## State diagram\n\n"
        "```mermaid\n" + mermaid_diagram() + "```\n\n"
        "## Questions and answer codes\n\n" + question_list() + "\n"
        "## Every message, in English and Swedish\n\n" + message_list()
    )


def add_diagram_arguments(parser: argparse.ArgumentParser) -> None:
    """`intake diagram` takes no options."""


def run_diagram(args: argparse.Namespace) -> int:
    sys.stdout.write(mermaid_diagram())
    return 0


def add_docs_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"regenerate {DOC_PATH.name}")
    mode.add_argument("--check", action="store_true", help=f"fail when {DOC_PATH.name} is stale")


def run_docs(args: argparse.Namespace) -> int:
    fresh = flow_document()
    if args.write:
        DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOC_PATH.write_text(fresh, encoding="utf-8")
        print(f"wrote {DOC_PATH}")
        return 0
    if DOC_PATH.exists() and DOC_PATH.read_text(encoding="utf-8") == fresh:
        return 0
    print(f"{DOC_PATH} is stale: run `intake docs --write`", file=sys.stderr)
    return 1
