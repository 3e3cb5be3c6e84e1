"""Benchmark of crisis detection: microseconds per message, import time and memory.

Run: `.venv/bin/python -m bench.safety` (add `--quick` for a shorter run). Not part of the tests.

Baseline, named so figures survive noisy machines: plain `re` on the same text, one compiled
alternation of every word and phrase in both lexicons (``\\b(?:w1|w2|...)\\b``) searched in the
folded text. That is what the old phrase lists cost at best; detection by meaning is reported
for the rules (stems, phrases, rules), the second reader (hashed n-grams and a linear model)
and the two together (the detector: the second reader reads only what the rules let pass), as
a ratio against the baseline measured in the same run. Messages are the corpus sentences
(typical parent messages) and a 4,000-character message; the first call of each new word fills
a cache, so both a cold and a warm figure are shown.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from importlib import resources

from flows import crisis_model
from flows.ngrams import _word_buckets
from flows.safety import detect_by_rules, detect_crisis
from flows.splitting import fold
from flows.word_concepts import tagged_word
from tests.support.safety_corpus import DATA, read_corpus


def lexicon_pattern() -> re.Pattern[str]:
    """One alternation of every surface word and phrase of both lexicons (the baseline)."""
    words: set[str] = set()
    for language in ("en", "sv"):
        text = (resources.files("flows") / "lexicons" / f"{language}.toml").read_text("utf-8")
        for spec in tomllib.loads(text)["concepts"].values():
            for entry in spec["words"]:
                plain = fold(entry).strip("~=*")
                if plain and "_" not in plain:
                    words.add(re.escape(plain))
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b")


def per_message(run: Callable[[str], object], messages: Sequence[str], rounds: int) -> float:
    """Mean microseconds per message over `rounds` passes."""
    start = time.perf_counter()
    for _ in range(rounds):
        for message in messages:
            run(message)
    return (time.perf_counter() - start) / (rounds * len(messages)) * 1e6


def import_cost() -> str:
    """Import time and memory of the detector in a fresh interpreter, before and after use."""
    code = (
        "import time, tracemalloc, resource\n"
        "t = time.perf_counter()\n"
        "import flows.safety, flows.crisis_model\n"
        "a = time.perf_counter() - t; tracemalloc.start(); t = time.perf_counter()\n"
        "flows.safety.detect_by_rules('jag vill inte leva')\n"
        "b = time.perf_counter() - t; rules = tracemalloc.get_traced_memory()[0] / 1e6\n"
        "t = time.perf_counter(); flows.crisis_model.model()\n"
        "c = time.perf_counter() - t\n"
        "model = tracemalloc.get_traced_memory()[0] / 1e6 - rules\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(f'import {a * 1e3:.0f} ms; first call, which loads the lexicons and stemmers: "
        "{b * 1e3:.0f} ms, {rules:.1f} MB (traced); loading the second reader\\'s model: "
        "{c * 1e3:.0f} ms, {model:.1f} MB; process peak RSS {rss:.0f} MB')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Crisis detection against plain re")
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 20
    print(import_cost())
    pattern = lexicon_pattern()
    baseline = lambda text: pattern.search(fold(text))  # noqa: E731 (named for the table)
    readers = {"rules": detect_by_rules, "second": crisis_model.detect, "both": detect_crisis}
    long_message = " ".join(r.text for r in read_corpus(DATA / "safety_en.tsv"))[:4000]
    print(
        f"{'messages (µs per message)':<30}{'re':>8}"
        + "".join(f"{name:>9}" for name in readers)
        + f"{'both / re':>11}"
    )

    def line(name: str, messages: Sequence[str], rounds: int, *, cold: bool = False) -> None:
        floor = per_message(baseline, messages, max(rounds, 3))
        took = {}
        for reader, run in readers.items():
            if cold:
                tagged_word.cache_clear()
                _word_buckets.cache_clear()
            took[reader] = per_message(run, messages, rounds)
        print(
            f"{name:<30}{floor:>8.1f}"
            + "".join(f"{t:>9.1f}" for t in took.values())
            + f"{took['both'] / floor:>11.1f}"
        )

    crisis_model.model()
    for language in ("en", "sv"):
        messages = [r.text for r in read_corpus(DATA / f"safety_{language}.tsv")]
        line(f"{language} corpus ({len(messages)}), first pass", messages, 1, cold=True)
        line(f"{language} corpus ({len(messages)}), warm", messages, rounds)
    for size in (1000, 4000):
        line(f"one {size}-character message", [long_message[:size]], rounds)


if __name__ == "__main__":
    main()
