"""The generated docs (state diagram and question list) match the code."""

from __future__ import annotations

from bot.docs import DOC_PATH, flow_document, mermaid_diagram
from flows.questions import STATES


def test_flow_doc_is_fresh() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == flow_document(), "run `intake docs --write`"


def test_diagram_names_every_state() -> None:
    diagram = mermaid_diagram()
    assert "stateDiagram-v2" in diagram
    for state in STATES:
        assert f'state "{state}" as {state}' in diagram
