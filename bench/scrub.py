"""How well and how fast the scrubber removes personal details, measured on a corpus.

    .venv/bin/python -m bench.scrub [--failures] [FILE.tsv ...]

Without files it reads ``tests/data/scrub_sv.tsv`` and ``scrub_en.tsv``; any file in the same
format can be given (a held-out one, say). Not part of the test run. The format, one text a line:

    names<TAB>text<TAB>remove<TAB>keep

``names`` are the parent's identifiers as the bot passes them, `` || ``-separated (may be
empty); ``remove`` the strings that must not survive, each ``kind:string``, `` || ``-separated;
``keep`` the strings that must survive, `` || ``-separated (may be empty). A string survives when
it is still in the scrubbed text as a whole word sequence, in any case.

Reported, per language (file) and in total:

- recall per kind: of the ``remove`` strings of that kind, the share that did not survive;
- placeholder precision: of the placeholders written, the share that covers (overlaps) a
  ``remove`` string; the rest replaced something nobody asked to remove;
- keep precision: of the ``keep`` strings, the share that survived;
- µs per text, against a baseline named and measured in the same run: one pass of
  phonenumbers' ``PhoneNumberMatcher`` over the same text, the costliest stage the scrubber
  had before it read names, dates and cues.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import phonenumbers

from storage import scrub

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data"
SEPARATOR = " || "
PLACEHOLDER = re.compile(r"\[[a-z]+\]")


@dataclass(frozen=True)
class CorpusCase:
    """One free text: the parent's identifiers, what must go (kind, string), what must stay."""

    names: tuple[str, ...]
    text: str
    remove: tuple[tuple[str, str], ...]
    keep: tuple[str, ...]


def _items(field: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in field.split(SEPARATOR.strip()) if item.strip())


def read_corpus(path: Path) -> list[CorpusCase]:
    """The cases of one corpus file, in order (the header line skipped)."""
    cases = []
    for line in path.read_text("utf-8").splitlines()[1:]:
        if not line.strip():
            continue
        names, text, remove, keep = [*line.split("\t"), "", "", ""][:4]
        pairs = tuple(
            (kind.strip(), string.strip())
            for kind, _, string in (item.partition(":") for item in _items(remove))
        )
        cases.append(CorpusCase(_items(names), text, pairs, _items(keep)))
    return cases


def _pattern(string: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(string)}(?!\w)", re.IGNORECASE)


def survives(string: str, scrubbed: str) -> bool:
    """Whether ``string`` is still in ``scrubbed`` as a whole word sequence, in any case."""
    return _pattern(string).search(scrubbed) is not None


def replaced_spans(original: str, scrubbed: str) -> list[tuple[int, int]]:
    """Where in the (NFKC-normalised) original each placeholder of ``scrubbed`` stands."""
    pieces = PLACEHOLDER.split(scrubbed)
    regex = "(.+?)".join(re.escape(piece) for piece in pieces)
    match = re.fullmatch(regex, original, re.DOTALL)
    if match is None:
        return []
    return [match.span(group) for group in range(1, len(pieces))]


@dataclass
class Tally:
    """Counts for one language (file)."""

    found: Counter[str]
    missed: Counter[str]
    written: int = 0
    covering: int = 0
    kept: int = 0
    keep_total: int = 0

    def add(self, case: CorpusCase, scrubbed: str) -> list[str]:
        failures = []
        original = unicodedata.normalize("NFKC", case.text)
        targets: list[tuple[int, int]] = []
        for kind, string in case.remove:
            targets += [m.span() for m in _pattern(string).finditer(original)]
            if survives(string, scrubbed):
                self.missed[kind] += 1
                failures.append(f"missed {kind}:{string!r}")
            else:
                self.found[kind] += 1
        spans = replaced_spans(original, scrubbed)
        self.written += len(PLACEHOLDER.findall(scrubbed)) - len(PLACEHOLDER.findall(original))
        for start, end in spans:
            if any(start < t_end and t_start < end for t_start, t_end in targets):
                self.covering += 1
            elif not PLACEHOLDER.fullmatch(original[start:end]):
                failures.append(f"removed {original[start:end]!r}")
        for string in case.keep:
            self.keep_total += 1
            if survives(string, scrubbed):
                self.kept += 1
            else:
                failures.append(f"lost {string!r}")
        return failures


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    -"


def report(label: str, tally: Tally) -> None:
    kinds = sorted(set(tally.found) | set(tally.missed))
    print(f"\n{label}")
    for kind in kinds:
        total = tally.found[kind] + tally.missed[kind]
        found = tally.found[kind]
        print(f"  recall {kind:13} {percent(found, total)}  ({found}/{total})")
    found, total = sum(tally.found.values()), sum(tally.found.values()) + sum(tally.missed.values())
    print(f"  recall, all kinds    {percent(found, total)}  ({found}/{total})")
    print(
        f"  placeholder precision {percent(tally.covering, tally.written)}"
        f"  ({tally.covering}/{tally.written} placeholders cover a string to remove)"
    )
    print(
        f"  keep precision       {percent(tally.kept, tally.keep_total)}"
        f"  ({tally.kept}/{tally.keep_total} look-alikes kept)"
    )


def per_text_us(
    texts: Sequence[tuple[str, tuple[str, ...]]], rounds: int = 5
) -> tuple[float, float]:
    """Best-of-rounds µs per text: the scrubber, and the baseline (one phone-number pass)."""

    def best(run: Callable[[], None]) -> float:
        timings = []
        for _ in range(rounds):
            started = time.perf_counter()
            run()
            timings.append(time.perf_counter() - started)
        return min(timings) / len(texts) * 1e6

    def scrubber() -> None:
        for text, names in texts:
            scrub(text, names)

    def baseline() -> None:
        for text, _ in texts:
            list(phonenumbers.PhoneNumberMatcher(text, "SE"))

    return best(scrubber), best(baseline)


def import_cost() -> str:
    """Import time and memory of the scrubber with its name lists, in fresh interpreters.

    Measured after ``storage``'s other imports (sqlite-utils, phonenumbers) are in, so the
    figures are what the scrubber's own code and lists add; memory is what Python allocated
    for them (tracemalloc), timed in a separate run since tracing slows it.
    """
    code = (
        "import sys, time, tracemalloc, storage.db, phonenumbers\n"
        "if sys.argv[1] == 'memory': tracemalloc.start()\n"
        "started = time.perf_counter()\n"
        "from storage.names import lexicon\n"
        "from storage.scrub import scrub\n"
        "lexicon(); scrub('x')\n"
        "took = time.perf_counter() - started\n"
        "print(f'{took * 1000:.0f} ms' if sys.argv[1] == 'time' else "
        "f'{tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB')\n"
    )
    figures = []
    for what in ("time", "memory"):
        run = subprocess.run([sys.executable, "-c", code, what], capture_output=True, text=True)
        figures.append(run.stdout.strip() or run.stderr.strip().splitlines()[-1])
    return ", ".join(figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--failures", action="store_true", help="print every miss and loss")
    args = parser.parse_args()
    files = args.files or [CORPUS / "scrub_sv.tsv", CORPUS / "scrub_en.tsv"]
    total = Tally(Counter(), Counter())
    texts: list[tuple[str, tuple[str, ...]]] = []
    for path in files:
        tally = Tally(Counter(), Counter())
        for number, case in enumerate(read_corpus(path), start=2):
            scrubbed = scrub(case.text, case.names)
            texts.append((case.text, case.names))
            failures = tally.add(case, scrubbed)
            total.add(case, scrubbed)
            if args.failures and failures:
                where = f"{path.name}:{number}"
                print(f"{where}: {'; '.join(failures)}\n    {case.text}\n -> {scrubbed}")
        report(f"{path.name}: {len(read_corpus(path))} texts", tally)
    if len(files) > 1:
        report(f"all: {len(texts)} texts", total)
    ours, baseline = per_text_us(texts)
    print(f"\nscrub: {ours:.0f} µs per text; baseline (one phone-number pass): {baseline:.0f} µs")
    print(f"scrub / baseline: {ours / baseline:.1f}x")
    print(f"import with name lists: {import_cost()}")


if __name__ == "__main__":
    main()
