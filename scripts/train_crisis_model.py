"""Train the second reader of crisis detection and write flows/lexicons/crisis_model.bin.

Run: ``make crisis-model`` (it installs the ``train`` extra: scikit-learn). Nothing here runs in
the bot or the tests: the bot reads the file this writes, with flows.crisis_model.

It reads the corpora and the former blind files (tests/data/safety_*.tsv,
tests/data/blind/*.tsv; each sentence once) and the options of the conversation as everyday
rows (a parent may type one; the safety question's are left out), counts each row's n-grams
with the runtime's own featuriser (flows.ngrams), and chooses every parameter by 5-fold
cross-validation, stratified by level and language, on those rows alone:

- the regularisation C of the crisis model, and which parts of a message are scored (the
  whole text, each sentence, each sentence and the whole, each sentence and each pair of
  neighbouring sentences), by the out-of-fold recall on crisis rows at the lowest threshold
  whose out-of-fold false alarms on everyday rows are at most 4% in each language;
- the C of the level model (danger or unwanted thoughts), by its out-of-fold balanced
  accuracy on the crisis rows, read in the part that scored highest.

Then both models are fitted on all rows and written with the figures in the file's header,
and the runtime's own scoring is checked against scikit-learn's on every row.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize

from flows import crisis_model
from flows.ngrams import BUCKETS, sentence_counts
from tests.support.safety_corpus import DATA, training_digest, training_files, training_rows

OUT = Path(crisis_model.__file__).parent / "lexicons" / crisis_model.MODEL_FILE
FOLDS = 5
SEED = 0
MAX_FALSE_ALARMS = 0.04
#: Regularisation C, and whether the classes are weighted to balance (crisis rows are more
#: than half of the corpus; danger rows three times the unwanted thoughts).
SETTINGS = [(c, weight) for c in (4.0, 8.0, 16.0, 32.0, 64.0) for weight in ("balanced", None)]
THRESHOLDS = np.round(np.arange(0.05, 0.991, 0.01), 2)

Parts = list[tuple[int, Counter[int]]]  # each sentence's number of words and counts


def _join(parts: Parts, spans: Sequence[tuple[int, int]]) -> list[Counter[int]]:
    """The counts of each span of sentences long enough to be scored."""
    out = []
    for a, b in spans:
        if sum(n for n, _ in parts[a:b]) >= crisis_model.MIN_WORDS:
            out.append(sum((c for _, c in parts[a:b]), Counter()))
    return out


#: The ways of choosing the parts of a message that are scored; the highest score counts.
#: The runtime implements the one chosen (flows.crisis_model.scored_parts); the others are
#: measured. Each leaves out parts of fewer than MIN_WORDS words, as the runtime does.
UNITS: dict[str, Callable[[Parts], list[Counter[int]]]] = {
    "whole": lambda parts: _join(parts, [(0, len(parts))]),
    "sentences": lambda parts: _join(parts, [(k, k + 1) for k in range(len(parts))]),
    "sentences and whole": lambda parts: _join(
        parts, [(k, k + 1) for k in range(len(parts))] + [(0, len(parts))] * (len(parts) > 1)
    ),
    crisis_model.SCORED_PARTS: lambda parts: _join(
        parts, crisis_model.scored_parts([n for n, _ in parts])
    ),
}


@dataclass
class Data:
    """The training rows counted: whole texts, and each row's parts for every way of scoring."""

    languages: np.ndarray
    measured: np.ndarray  # a row of the corpora, not an option (options only teach)
    crisis: np.ndarray  # 1 for danger and unwanted thoughts
    danger: np.ndarray  # 1 for danger
    whole: sparse.csr_matrix  # raw counts, one row per text
    parts: dict[str, tuple[sparse.csr_matrix, np.ndarray]]  # counts, and the text of each part


def _matrix(rows: Sequence[Counter[int]]) -> sparse.csr_matrix:
    indptr, indices, data = [0], [], []
    for counts in rows:
        for b in sorted(counts):
            indices.append(b)
            data.append(counts[b])
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices), np.array(indptr)),
        shape=(len(rows), BUCKETS),
    )


def load() -> tuple[Data, list[Path], list[str]]:
    files = training_files()
    rows = training_rows()
    counted = [sentence_counts(row.text) for _, row in rows]
    parts = {}
    for name, choose in UNITS.items():
        chosen = [choose(c) for c in counted]
        owner = np.repeat(np.arange(len(rows)), [len(c) for c in chosen])
        parts[name] = (_matrix([p for c in chosen for p in c]), owner)
    data = Data(
        languages=np.array([language for language, _ in rows]),
        measured=np.array([row.kind != "option" for _, row in rows]),
        crisis=np.array([row.level != "none" for _, row in rows], dtype=int),
        danger=np.array([row.level == "danger" for _, row in rows], dtype=int),
        whole=_matrix([sum((c for _, c in parts), Counter()) for parts in counted]),
        parts=parts,
    )
    return data, files, [row.text for _, row in rows]


def idf_of(counts: sparse.csr_matrix) -> np.ndarray:
    """log((1 + N) / (1 + df)) + 1 for every bucket; a bucket never seen gets log(1 + N) + 1."""
    df = np.bincount(counts.indices, minlength=BUCKETS)
    return np.log((1 + counts.shape[0]) / (1 + df)) + 1


def weighted(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear term frequency times idf, L2-normalised: flows.crisis_model._vector."""
    out = counts.copy()
    out.data = (1 + np.log(out.data)) * idf[out.indices]
    return normalize(out)


def fit(
    x: sparse.csr_matrix, y: np.ndarray, setting: tuple[float, str | None]
) -> LogisticRegression:
    c, weight = setting
    return LogisticRegression(C=c, class_weight=weight, max_iter=5000).fit(x, y)


def highest(scores: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the highest score of its parts and which part it was (-inf, -1 if none)."""
    best = np.full(n, -np.inf)
    which = np.full(n, -1)
    for k in np.argsort(scores, kind="stable"):  # ascending: the last write is the highest
        best[owner[k]] = scores[k]
        which[owner[k]] = k
    return best, which


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def threshold_for(p: np.ndarray, data: Data) -> tuple[float, dict[str, dict[str, float]]]:
    """The lowest threshold whose false alarms stay within the bound in each language, and
    the figures there."""
    for t in THRESHOLDS:
        figures = figures_at(p >= t, data)
        if all(f["false_alarms"] <= MAX_FALSE_ALARMS for f in figures.values()):
            return float(t), figures
    raise SystemExit("no threshold keeps false alarms within the bound")


def figures_at(fired: np.ndarray, data: Data) -> dict[str, dict[str, float]]:
    out = {}
    for language in ("en", "sv"):
        mine = (data.languages == language) & data.measured
        crisis, calm = mine & (data.crisis == 1), mine & (data.crisis == 0)
        out[language] = {
            "recall": round(float(fired[crisis].mean()), 4),
            "false_alarms": round(float(fired[calm].mean()), 4),
        }
    return out


def cross_validate(data: Data) -> dict[str, Any]:
    n = len(data.crisis)
    strata = np.char.add(data.languages, data.crisis.astype(str) + data.danger.astype(str))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(np.zeros(n), strata)
    crisis_p = {(s, u): np.zeros(n) for s in SETTINGS for u in UNITS}
    # the level model read in the whole text, or in the part that scored highest
    level_p = {(s, u): np.zeros(n) for s in SETTINGS for u in ("whole", "best part")}
    for fold, (train, test) in enumerate(folds):
        started = time.perf_counter()
        idf = idf_of(data.whole[train])
        x_train = weighted(data.whole[train], idf)
        crisis_rows = train[data.crisis[train] == 1]
        in_test = np.zeros(n, dtype=bool)
        in_test[test] = True
        x_whole = weighted(data.whole[test], idf)
        held_out = {}
        for u, (counts, owner) in data.parts.items():
            mask = in_test[owner]
            held_out[u] = (weighted(counts[mask], idf), owner[mask])
        for c in SETTINGS:
            model = fit(x_train, data.crisis[train], c)
            level = fit(x_train[data.crisis[train] == 1], data.danger[crisis_rows], c)
            whole_level = sigmoid(level.decision_function(x_whole))
            level_p[c, "whole"][test] = whole_level
            for u, (x, owner) in held_out.items():
                best, which = highest(model.decision_function(x), owner, n)
                crisis_p[c, u][test] = sigmoid(best[test])
                if u == crisis_model.SCORED_PARTS:  # a text with no part: the whole
                    part, has = which[test], which[test] >= 0
                    in_part = whole_level.copy()
                    in_part[has] = sigmoid(level.decision_function(x[part[has]]))
                    level_p[c, "best part"][test] = in_part
        print(f"fold {fold + 1}/{FOLDS}: {time.perf_counter() - started:.0f} s", flush=True)
    candidates = []
    for (c, u), p in crisis_p.items():
        t, figures = threshold_for(p, data)
        recall = float(np.mean([f["recall"] for f in figures.values()]))
        candidates.append(
            {
                "C": c[0],
                "class_weight": c[1],
                "units": u,
                "threshold": t,
                "recall": round(recall, 4),
                "by_language": figures,
            }
        )
        print(f"crisis {c!s:<18} {u:<20} threshold {t:.2f}  {json.dumps(figures)}")
    chosen = max(candidates, key=lambda r: (r["recall"], -r["threshold"]))
    fired = crisis_p[(chosen["C"], chosen["class_weight"]), chosen["units"]] >= chosen["threshold"]
    chosen["options_alarmed"] = int(fired[~data.measured].sum())
    print(f"options read as crisis, out of fold: {chosen['options_alarmed']}")
    levels = []
    crisis_rows = data.crisis == 1  # no option is a crisis row
    truth = data.danger[crisis_rows]
    for (c, u), p in level_p.items():
        right = (p[crisis_rows] >= 0.5) == (truth == 1)
        balanced = float((right[truth == 1].mean() + right[truth == 0].mean()) / 2)
        levels.append(
            {
                "C": c[0],
                "class_weight": c[1],
                "read_in": u,
                "balanced_accuracy": round(balanced, 4),
                "accuracy": round(float(right.mean()), 4),
            }
        )
        print(f"level  {c!s:<18} {u:<20} balanced accuracy {balanced:.3f}, {right.mean():.3f}")
    level_chosen = max(levels, key=lambda r: r["balanced_accuracy"])
    return {"crisis": chosen, "level": level_chosen, "candidates": candidates, "levels": levels}


def train(
    data: Data, files: Sequence[Path], cv: dict[str, Any]
) -> tuple[bytes, tuple[Any, Any, Any]]:
    """Both models fitted on all rows, as the model file's bytes."""
    crisis, level = cv["crisis"], cv["level"]
    if crisis["units"] != crisis_model.SCORED_PARTS or level["read_in"] != "whole":
        raise SystemExit(
            f"cross-validation chose {crisis['units']!r} (level read in {level['read_in']!r}): "
            "flows.crisis_model reads other parts; change it first"
        )
    idf = idf_of(data.whole)
    x = weighted(data.whole, idf)
    crisis_fit = fit(x, data.crisis, (crisis["C"], crisis["class_weight"]))
    rows = data.crisis == 1
    level_fit = fit(x[rows], data.danger[rows], (level["C"], level["class_weight"]))
    seen = np.flatnonzero(np.bincount(data.whole.indices, minlength=BUCKETS))
    for weights in (crisis_fit.coef_[0], level_fit.coef_[0]):
        unseen = np.ones(BUCKETS, dtype=bool)
        unseen[seen] = False
        assert not weights[unseen].any(), "a bucket never seen has a weight"
    n = data.whole.shape[0]
    header = {
        "training_files": [f.relative_to(DATA).as_posix() for f in files],
        "training_sha256": training_digest(),
        "training_rows": int(n),
        "unseen_idf": math.log(1 + n) + 1,
        "crisis": {
            "intercept": float(crisis_fit.intercept_[0]),
            "threshold": crisis["threshold"],
            "C": crisis["C"],
            "class_weight": crisis["class_weight"],
            "scored_parts": crisis["units"],
        },
        "level": {
            "intercept": float(level_fit.intercept_[0]),
            "threshold": 0.5,
            "C": level["C"],
            "class_weight": level["class_weight"],
            "read_in": level["read_in"],
        },
        "cross_validation": {
            "folds": FOLDS,
            "max_false_alarms": MAX_FALSE_ALARMS,
            "crisis": crisis["by_language"],
            "options_alarmed": crisis["options_alarmed"],
            "level": {k: level[k] for k in ("accuracy", "balanced_accuracy")},
        },
    }
    return crisis_model.write_model(
        header,
        seen.tolist(),
        idf[seen].tolist(),
        crisis_fit.coef_[0][seen].tolist(),
        level_fit.coef_[0][seen].tolist(),
    ), (crisis_fit, level_fit, idf)


def check(data: Data, texts: Sequence[str], written: bytes, fitted: tuple[Any, Any, Any]) -> None:
    """The runtime's probabilities agree with scikit-learn's on every row."""
    crisis_fit, level_fit, idf = fitted
    m = crisis_model.read_model(written)
    counts, owner = data.parts[crisis_model.SCORED_PARTS]
    best, _ = highest(crisis_fit.decision_function(weighted(counts, idf)), owner, len(texts))
    expected = sigmoid(best)
    level = sigmoid(level_fit.decision_function(weighted(data.whole, idf)))
    worst = 0.0
    for k, text in enumerate(texts):
        reading = crisis_model.read(text, m, always_level=True)
        got = (reading.probability, reading.danger_probability) if reading else (0.0, 0.0)
        want = (expected[k], level[k]) if reading else (0.0, 0.0)
        worst = max(worst, abs(got[0] - want[0]), abs((got[1] or 0.0) - want[1]))
    print(f"runtime against scikit-learn: largest difference {worst:.2e}")
    assert worst < 1e-4, "the runtime scores differently from training"
    fired = np.array([(r := crisis_model.read(t, m)) is not None and r.answers for t in texts])
    print(f"on the training rows themselves: {json.dumps(figures_at(fired, data))}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv-only", action="store_true", help="measure, write nothing")
    args = parser.parse_args(argv)
    data, files, texts = load()
    print(f"{len(data.crisis)} rows, {int(data.crisis.sum())} crisis")
    cv = cross_validate(data)
    print(json.dumps({k: cv[k] for k in ("crisis", "level")}, indent=1))
    if args.cv_only:
        return
    written, fitted = train(data, files, cv)
    check(data, texts, written, fitted)
    OUT.write_bytes(written)
    print(f"wrote {OUT} ({len(written) / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
