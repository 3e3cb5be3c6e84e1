"""Benchmark of the pure engine: inputs per second through whole conversations, and memory.

Run: `make bench` (or `.venv/bin/python -m bench.engine`). Not part of the test run.

Baseline, named so figures survive noisy machines: the same `transitions` machine stepped
bare (``set_state`` + one trigger per input, no texts, no matching, no JSON). The engine's
figure is reported as a ratio against it, measured in the same run.
"""

from __future__ import annotations

import gc
import resource
import time
import tracemalloc

from flows.engine import Engine
from flows.machine import build_machine
from flows.model import Conversation, Tap, Text
from tests.support import EXPECTED_SUGGESTION, intake_script


def scripts() -> list[list[str]]:
    """The taps of a whole intake for each routing cell (the same mix a clinic would see)."""
    return [[what for what, _, _ in intake_script(b, p)] for b, p in sorted(EXPECTED_SUGGESTION)]


def run_conversation(engine: Engine, script: list[str], *, via_json: bool) -> int:
    """Play one intake; with ``via_json`` the conversation is saved and restored between inputs."""
    conv = engine.new_conversation("en")
    question = ""
    for what in script:
        if via_json:
            conv = Conversation.from_json(conv.to_json())
        event = Tap(question, what[4:], conv.revision) if what.startswith("tap:") else Text(what)
        step = engine.handle(conv, event)
        conv = step.conversation
        question = next((r.question for r in reversed(step.replies) if r.question), question)
    assert conv.state == "done", conv.state
    return len(script)


class BareModel:
    """A model for the floor: the machine's conditions, all false, and nothing else.

    Like the engine's, they take the trigger's arguments (the conversation and the choice).
    """

    state: str

    def declines(self, conversation: Conversation, choice: str) -> bool:
        return False

    def older_child(self, conversation: Conversation, choice: str) -> bool:
        return False

    def editing(self, conversation: Conversation, choice: str) -> bool:
        return False


def bare_machine_rate(inputs: int) -> float:
    """Inputs per second of the floor: set_state + trigger on the same machine."""
    cursor = BareModel()
    machine = build_machine(cursor)
    conversation = Conversation()
    path = ["welcome", "role", "age_band"]  # plain "advance" steps, no conditions that fail
    start = time.perf_counter()
    for i in range(inputs):
        machine.set_state(path[i % 3], model=cursor)
        cursor.trigger("advance", conversation, "")  # type: ignore[attr-defined]
    return inputs / (time.perf_counter() - start)


def throughput(engine: Engine, conversations: int, *, via_json: bool) -> float:
    all_scripts = scripts()
    start = time.perf_counter()
    inputs = sum(
        run_conversation(engine, all_scripts[i % len(all_scripts)], via_json=via_json)
        for i in range(conversations)
    )
    return inputs / (time.perf_counter() - start)


def memory_for(engine: Engine, count: int) -> tuple[float, float]:
    """Peak traced KiB while restoring ``count`` saved conversations in turn, and max RSS MiB."""
    template = Conversation(
        state="baby_distress",
        answers={"role": "mother", "age_band": "6_12m", "baby_reacts": "often"},
        history=["role", "age_band", "baby_reacts"],
        revision=6,
        furthest=5,
    )
    saved = template.to_json()
    gc.collect()
    tracemalloc.start()
    for i in range(count):
        conv = Conversation.from_json(saved.replace('"revision":6', f'"revision":{6 + i % 7}'))
        engine.handle(conv, Tap("baby_distress", "often", conv.revision))
    peak = tracemalloc.get_traced_memory()[1] / 1024
    tracemalloc.stop()
    return peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    engine = Engine()
    throughput(engine, 200, via_json=False)  # warm up
    floor = bare_machine_rate(200_000)
    plain = throughput(engine, 3000, via_json=False)
    with_json = throughput(engine, 3000, via_json=True)
    rows = [
        ("bare machine floor (set_state + trigger)", floor),
        ("engine, whole conversations", plain),
        ("engine, saved/restored as JSON each input", with_json),
    ]
    for label, rate in rows:
        print(f"{label:<42} {rate:>10,.0f} inputs/s  ({floor / rate:.1f}x the floor's cost)")
    print(f"target: >= 20,000 inputs/s on one core: {'met' if with_json >= 20_000 else 'NOT met'}")
    small_peak, _ = memory_for(engine, 10_000)
    large_peak, rss = memory_for(engine, 100_000)
    print(f"peak traced memory restoring 10,000 conversations:  {small_peak:8.1f} KiB")
    print(
        f"peak traced memory restoring 100,000 conversations: {large_peak:8.1f} KiB "
        f"(ratio {large_peak / small_peak:.2f}; flat means ~1.0); max RSS {rss:.1f} MiB"
    )


if __name__ == "__main__":
    main()
