"""Benchmark of crisis detection: microseconds per message, import time and memory.

Run: `.venv/bin/python -m bench.safety` (add `--quick` for a shorter run). Not part of the tests.

Baseline, named so figures survive noisy machines: plain `re` on the same text, one compiled
alternation of every word and phrase in both lexicons (``\\b(?:w1|w2|...)\\b``) searched in the
folded text. That is what the old phrase lists cost at best; detection by meaning (stems,
phrases, rules) is reported as a ratio against it, measured in the same run. Messages are the
corpus sentences (typical parent messages) and a 4,000-character message; the first call of
each new word fills a cache, so both a cold and a warm figure are shown.
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

from flows.lexicon import _word, fold
from flows.safety import detect_crisis
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
        "import flows.safety\n"
        "a = time.perf_counter() - t; tracemalloc.start(); t = time.perf_counter()\n"
        "flows.safety.detect_crisis('jag vill inte leva')\n"
        "b = time.perf_counter() - t\n"
        "peak = tracemalloc.get_traced_memory()[1] / 1e6\n"
        "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(f'import {a * 1e3:.0f} ms; first call, which loads the lexicons and stemmers: "
        "{b * 1e3:.0f} ms (traced), {peak:.1f} MB; process peak RSS {rss:.0f} MB')\n"
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
    long_message = " ".join(r.text for r in read_corpus(DATA / "safety_en.tsv"))[:4000]
    print(f"{'messages':<28}{'re (µs)':>10}{'detect (µs)':>13}{'ratio':>8}")
    for language in ("en", "sv"):
        messages = [r.text for r in read_corpus(DATA / f"safety_{language}.tsv")]
        _word.cache_clear()
        cold = per_message(detect_crisis, messages, 1)
        warm = per_message(detect_crisis, messages, rounds)
        floor = per_message(baseline, messages, rounds)
        name = f"{language} corpus ({len(messages)})"
        print(f"{name + ', first pass':<28}{floor:>10.1f}{cold:>13.1f}{cold / floor:>8.1f}")
        print(f"{name + ', warm':<28}{floor:>10.1f}{warm:>13.1f}{warm / floor:>8.1f}")
    for size in (1000, 4000):
        text = long_message[:size]
        floor = per_message(baseline, [text], rounds)
        warm = per_message(detect_crisis, [text], rounds)
        name = f"one {size}-character message"
        print(f"{name:<28}{floor:>10.1f}{warm:>13.1f}{warm / floor:>8.1f}")


if __name__ == "__main__":
    main()
