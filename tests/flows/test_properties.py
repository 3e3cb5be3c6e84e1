"""Random input sequences never break the engine, never leave its states, always offer a way on."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.engine import Engine
from flows.model import Aside, Command, Conversation, Input, Tap, Text
from flows.parsing import COMMAND_ALIASES
from flows.questions import FINAL_STATES, STATES

ENGINE = Engine()

commands = st.sampled_from(sorted(COMMAND_ALIASES)).map(lambda name: Text("/" + name))
typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "1",
            "2",
            "3",
            "yes",
            "nej",
            "often",
            "skip",
            "I want to die",
            "jag orkar inte mer",
            "x" * 5000,
        ]
    ),
    st.from_regex(r"/[a-z_]{1,12}( [a-z0-9]{1,40})?", fullmatch=True),
)


@st.composite
def inputs(draw: st.DrawFn) -> list[object]:
    """Actions: tap the n-th button shown last, type something, send a command, a stale tap,
    or an aside (a message read for crisis signals only)."""
    return draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("tap"), st.integers(0, 8)),
                st.tuples(st.just("text"), typed),
                st.tuples(st.just("text"), commands),
                st.tuples(st.just("stale"), st.integers(0, 8)),
                st.tuples(st.just("aside"), typed),
                st.tuples(
                    st.just("command"), st.sampled_from(sorted(set(COMMAND_ALIASES.values())))
                ),
            ),
            max_size=60,
        )
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs(), st.sampled_from(["en", "sv"]))
def test_random_sequences(actions: list[tuple[str, object]], lang: str) -> None:
    conv: Conversation = ENGINE.new_conversation(lang)
    last_prompt = ENGINE.prompt(conv)[-1]
    for kind, value in actions:
        event: Input
        if kind in ("tap", "stale") and last_prompt.options:
            assert isinstance(value, int)
            option = last_prompt.options[value % len(last_prompt.options)]
            revision = conv.revision if kind == "tap" else conv.revision - 1
            event = Tap(last_prompt.question or "", option.code, revision)
        elif kind == "aside":  # a photo's caption, an edit, a forward: never an answer
            words = value.text if isinstance(value, Text) else str(value)
            event = Aside("bot.kind.photo", words)
        elif kind == "command":
            assert isinstance(value, str)
            event = Command(value)
        else:
            event = value if isinstance(value, Text) else Text(str(value))
        step = ENGINE.handle(conv, event)
        if isinstance(event, Aside):  # never an answer, never a move
            assert (step.conversation.state, step.conversation.answers) == (
                conv.state,
                conv.answers,
            )
        conv = step.conversation
        assert conv.state in STATES
        assert step.replies, "every input gets a reply"
        last = step.replies[-1]
        # After erasure nothing is kept, so nothing is asked: the text says how to begin again.
        way_on = bool(last.options) or last.accepts_text or last.key == "delete.done"
        assert way_on, f"{last.key} offers no way on"
        if step.replies[-1].question:
            last_prompt = step.replies[-1]
        assert Conversation.from_json(conv.to_json()) == conv
        if conv.safe_check and not conv.pending:
            # After a danger-level reply nothing else is asked until the parent chooses.
            assert last.key == "safe_check", f"{last.key} asked while waiting"
        elif conv.state in FINAL_STATES and not conv.pending:
            assert any(o.code == "restart" for o in ENGINE.prompt(conv)[-1].options)
