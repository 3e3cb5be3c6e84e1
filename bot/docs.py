"""Generated docs: the state diagram (transitions' mermaid engine) and every question.

`intake docs --write` regenerates docs/flow.md; `intake docs --check` (and a test) fails when
the committed file no longer matches the code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.machine import build_machine
from flows.model import LANGUAGES
from flows.questions import QUESTIONS
from flows.screens import BACK
from flows.texts import render

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


def flow_document() -> str:
    return (
        "# The intake conversation\n\n"
        "Generated from the code by `intake docs --write`; a test fails when it is stale.\n\n"
        "## State diagram\n\n"
        "```mermaid\n" + mermaid_diagram() + "```\n\n"
        "## Questions and answer codes\n\n" + question_list()
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
