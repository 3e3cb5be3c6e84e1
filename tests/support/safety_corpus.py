"""Read a crisis-detection corpus and measure `detect_crisis` on it.

A corpus is a UTF-8 TSV file with the header ``level<TAB>kind<TAB>text`` and one sentence a row;
level is ``danger``, ``unwanted_thoughts`` or ``none``. The project's own corpora are
tests/data/safety_en.tsv and safety_sv.tsv; a held-out file in the same format is measured with

    .venv/bin/python -m tests.support.safety_corpus path/to/heldout.tsv [--misses]
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.safety import detect_crisis, explain

DATA = Path(__file__).resolve().parents[1] / "data"
HEADER = ["level", "kind", "text"]
LEVELS = ("danger", "unwanted_thoughts", "none")


@dataclass(frozen=True, slots=True)
class Row:
    """One sentence with the level a clinician would give it."""

    level: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class Scores:
    """How detection did on a corpus, with the rows behind each shortfall."""

    rows: int
    recall: float  # crisis rows detected at any level
    danger_as_danger: float
    false_alarms: float  # share of `none` rows given a level
    unwanted_exact: float  # unwanted_thoughts rows given exactly that level
    missed: list[Row]
    danger_too_low: list[Row]
    alarms: list[Row]
    unwanted_as_danger: list[Row]


def read_corpus(path: Path) -> list[Row]:
    """The rows of a corpus file; raises ValueError on a malformed header, row or level."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header != HEADER:
            raise ValueError(f"{path}: header must be {HEADER}, not {header}")
        rows = []
        for n, fields in enumerate(reader, start=2):
            if len(fields) != 3 or fields[0] not in LEVELS:
                raise ValueError(f"{path}:{n}: expected level, kind and text: {fields}")
            rows.append(Row(*fields))
        return rows


def _share(hits: int, total: int) -> float:
    return hits / total if total else 1.0


def measure(rows: Sequence[Row], detect: Callable[[str], str | None] = detect_crisis) -> Scores:
    """Recall, danger kept as danger, false alarms and unwanted-thought accuracy."""
    got = [(row, detect(row.text) or "none") for row in rows]
    crisis = [(r, g) for r, g in got if r.level != "none"]
    danger = [(r, g) for r, g in got if r.level == "danger"]
    calm = [(r, g) for r, g in got if r.level == "none"]
    unwanted = [(r, g) for r, g in got if r.level == "unwanted_thoughts"]
    return Scores(
        rows=len(rows),
        recall=_share(sum(g != "none" for _, g in crisis), len(crisis)),
        danger_as_danger=_share(sum(g == "danger" for _, g in danger), len(danger)),
        false_alarms=_share(sum(g != "none" for _, g in calm), len(calm)) if calm else 0.0,
        unwanted_exact=_share(sum(g == r.level for r, g in unwanted), len(unwanted)),
        missed=[r for r, g in crisis if g == "none"],
        danger_too_low=[r for r, g in danger if g != "danger"],
        alarms=[r for r, g in calm if g != "none"],
        unwanted_as_danger=[r for r, g in unwanted if g == "danger"],
    )


def report(name: str, scores: Scores, *, misses: bool = False) -> Iterable[str]:
    """Lines describing the scores (and, if asked, each row that fell short and why)."""
    yield (
        f"{name}: {scores.rows} rows; recall {scores.recall:.1%}, danger as danger "
        f"{scores.danger_as_danger:.1%}, false alarms {scores.false_alarms:.1%}, "
        f"unwanted thoughts exactly {scores.unwanted_exact:.1%}"
    )
    if misses:
        for label, rows in (
            ("missed", scores.missed),
            ("danger too low", scores.danger_too_low),
            ("false alarm", scores.alarms),
            ("unwanted as danger", scores.unwanted_as_danger),
        ):
            for row in rows:
                fired = "; ".join(f"{f.rule} -> {f.level}" for f in explain(row.text))
                yield f"  {label}: [{row.kind}] {row.text}" + (f"  ({fired})" if fired else "")


def main(argv: Sequence[str] | None = None) -> None:
    """Measure detection on the corpora named (the project's own by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--misses", action="store_true", help="list each row that fell short")
    args = parser.parse_args(argv)
    for path in args.paths or sorted(DATA.glob("safety_*.tsv")):
        for line in report(path.name, measure(read_corpus(path)), misses=args.misses):
            print(line)


if __name__ == "__main__":
    main()
