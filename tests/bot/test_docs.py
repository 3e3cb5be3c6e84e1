"""The generated docs (state diagram, question list, every message) match the code."""

from __future__ import annotations

from bot.docs import DOC_PATH, EXAMPLE_VALUES, cell_text, flow_document, mermaid_diagram
from flows.clinic import load_clinic_config
from flows.model import LANGUAGES
from flows.questions import STATES
from flows.texts import catalog, render


def test_flow_doc_is_fresh() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == flow_document(), "run `intake docs --write`"


def test_diagram_names_every_state() -> None:
    diagram = mermaid_diagram()
    assert "stateDiagram-v2" in diagram
    for state in STATES:
        assert f'state "{state}" as {state}' in diagram


def test_flow_doc_shows_every_message_in_both_languages() -> None:
    document = flow_document()
    clinics = load_clinic_config()
    for lang in LANGUAGES:
        values = {**clinics.values(lang, ""), **EXAMPLE_VALUES}
        for key in catalog(lang):
            if key.count(".") == 3 and key.startswith("delete.report."):
                continue  # a count's phrase: shown inside delete.report, for 1 and for 2
            text = render(lang, key, **values)
            assert cell_text(text) in document or f"[{text}]" in document, f"{lang}:{key}"
    assert "| | English | Svenska |" in document
