"""Read a crisis-detection corpus and measure `detect_crisis` on it.

A corpus is a UTF-8 TSV file with the header ``level<TAB>kind<TAB>text`` and one sentence a row;
level is ``danger``, ``unwanted_thoughts`` or ``none``. The project's own corpora are
tests/data/safety_en.tsv and safety_sv.tsv; a held-out file in the same format is measured with

    .venv/bin/python -m tests.support.safety_corpus path/to/heldout.tsv [--misses]
        [--reader combined --reader rules --reader second]

The same rows, read once each, are what the second reader learns from
(scripts/train_crisis_model.py, with `training_files` and `training_rows`).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows import crisis_model
from flows.model import LANGUAGES
from flows.safety import detect_by_rules, detect_crisis, explain
from flows.texts import catalog

DATA = Path(__file__).resolve().parents[1] / "data"
#: The detector, and each of its two readers alone.
READERS: dict[str, Callable[[str], str | None]] = {
    "combined": detect_crisis,
    "rules": detect_by_rules,
    "second": crisis_model.detect,
}
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


def training_files() -> list[Path]:
    """The files the second reader learns from: the corpora and the two former blind files."""
    return sorted(DATA.glob("safety_*.tsv")) + sorted((DATA / "blind").glob("safety_*.tsv"))


def answer_labels() -> list[tuple[str, Row]]:
    """Every option of the conversation in both languages, but the safety question's, as an
    everyday row: a parent may type an option instead of tapping it, and every text is read
    for crisis first ("Någon annan som tar hand om barnet" is who is chatting, not a plan)."""
    return [
        (language, Row("none", "option", label))
        for language in LANGUAGES
        for key, label in sorted(catalog(language).items())
        if key.startswith("o.") and not key.startswith("o.safety.")
    ]


def training_rows() -> list[tuple[str, Row]]:
    """What the second reader learns from, each distinct text once, with its language: the
    training files' rows (the former blind files' rows are in the corpora too), then the
    options. A text given two levels is an error."""
    rows = [
        (path.stem.rsplit("_", 1)[-1], row)
        for path in training_files()
        for row in read_corpus(path)
    ]
    seen: dict[str, tuple[str, Row]] = {}
    for language, row in [*rows, *answer_labels()]:
        if row.text in seen and seen[row.text][1].level != row.level:
            raise ValueError(f"{row.text!r} has two levels")
        seen.setdefault(row.text, (language, row))
    return list(seen.values())


def training_digest() -> str:
    """SHA-256 of what the second reader learns from: the training files' names (from
    tests/data) and bytes, and the options' texts."""
    digest = hashlib.sha256()
    for path in training_files():
        digest.update(path.relative_to(DATA).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for _, row in answer_labels():
        digest.update(row.text.encode("utf-8") + b"\0")
    return digest.hexdigest()


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
    parser.add_argument(
        "--reader",
        choices=READERS,
        action="append",
        help="which reader to measure: the rules, the second reader or both combined (the "
        "detector; the default); may be given more than once",
    )
    args = parser.parse_args(argv)
    for path in args.paths or sorted(DATA.glob("safety_*.tsv")):
        rows = read_corpus(path)
        for reader in args.reader or ["combined"]:
            name = path.name if reader == "combined" else f"{path.name} ({reader})"
            for line in report(name, measure(rows, READERS[reader]), misses=args.misses):
                print(line)


if __name__ == "__main__":
    main()
