"""The second reader of crisis detection: a linear model over hashed n-grams.

The rules of ``flows.safety`` are the first, readable reader; they learn the shapes they have
seen. This reader learns from the same corpora (tests/data) and catches paraphrases the rules
miss: a logistic score over the n-gram counts of ``flows.ngrams``, weighted by sublinear term
frequency (1 + log count) times inverse document frequency, L2-normalised. Two models share
the counts: crisis or not (all training rows), and danger or unwanted thoughts (the crisis
rows). docs/safety.md says how it is trained (``make crisis-model``), how its threshold was
chosen and what it cannot do.

Each sentence and each pair of neighbouring sentences of at least three words is scored
(``scored_parts``), and the highest score counts, so one crisis sentence in a long everyday
message is not diluted by the rest; the level model reads the whole text.

The model file (``flows/lexicons/crisis_model.bin``) is one JSON header line, then four
little-endian arrays over the buckets seen in training, sorted: bucket (uint32), idf, crisis
weight and level weight (float32). It is read once, on first use.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Final

from flows.ngrams import BUCKETS, FEATURISER_VERSION, bucket, features, sentence_counts
from flows.splitting import sentences

#: Bumped whenever the layout of the model file changes.
FORMAT_VERSION: Final = 1
MODEL_FILE: Final = "crisis_model.bin"
#: How many words and pairs of words `explain` names.
STRONGEST: Final = 6
#: The level model's probability of danger from which a text the reader answers is danger.
LEVEL_THRESHOLD: Final = 0.5


@dataclass(frozen=True, slots=True)
class CrisisModel:
    """The trained weights over the buckets seen in training, and what the header says."""

    header: Mapping[str, Any]
    buckets: array[int]  # sorted
    idf: array[float]
    crisis: array[float]
    level: array[float]
    position: array[int] = field(init=False, repr=False)  # bucket -> its index, or -1

    def __post_init__(self) -> None:
        # One look-up by index per n-gram (4 MB): bisecting `buckets` made scoring three
        # times as slow.
        position = array("i", [-1]) * BUCKETS
        for i, b in enumerate(self.buckets):
            position[b] = i
        object.__setattr__(self, "position", position)

    @property
    def threshold(self) -> float:
        """The crisis probability from which the reader answers."""
        return float(self.header["crisis"]["threshold"])


@dataclass(frozen=True, slots=True)
class Reading:
    """What the second reader made of a text."""

    probability: float  # the highest crisis probability of the parts scored
    sentences: tuple[int, int]  # the sentences of that part (from, to, as in a slice)
    answers: bool  # the probability reaches the threshold
    danger_probability: float | None  # the level model's, on the whole text, when it answers

    @property
    def level(self) -> str | None:
        """Danger or unwanted thoughts when the reader answers, by the level model."""
        if not self.answers or self.danger_probability is None:
            return None
        return "danger" if self.danger_probability >= LEVEL_THRESHOLD else "unwanted_thoughts"


#: The parts of a message that are scored, as cross-validation chose them (the training
#: script refuses to write a model for other parts).
SCORED_PARTS: Final = "sentences and pairs"
#: The fewest words a scored part has. In one or two words a single word's weight decides
#: the score ("something else" read like "he's something else" said of a baby): short texts
#: are left to the rules, which hold the short crisis words ("kms", "självmord").
MIN_WORDS: Final = 3


def scored_parts(lengths: Sequence[int]) -> list[tuple[int, int]]:
    """The parts of a message whose sentences have `lengths` words that are scored, as slices
    of its sentences: each sentence, so one crisis sentence is not diluted by a long everyday
    message, and each pair of neighbours, since chat breaks one thought into fragments
    ("can't do this. i'm done. goodbye x"); each of at least MIN_WORDS words. At most two
    parts per sentence: linear."""
    n = len(lengths)
    spans = [(k, k + 1) for k in range(n)] + [(k, k + 2) for k in range(n - 1)]
    return [(a, b) for a, b in spans if sum(lengths[a:b]) >= MIN_WORDS]


def write_model(
    header: Mapping[str, Any],
    buckets: Sequence[int],
    idf: Sequence[float],
    crisis: Sequence[float],
    level: Sequence[float],
) -> bytes:
    """The model file's bytes (for the training script)."""
    head = {**header, "format": FORMAT_VERSION, "featuriser": FEATURISER_VERSION}
    head["buckets_seen"] = len(buckets)
    out = bytearray(json.dumps(head, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n")
    for code, values in (("I", buckets), ("f", idf), ("f", crisis), ("f", level)):
        block = array(code, values)
        if sys.byteorder == "big":
            block.byteswap()
        out += block.tobytes()
    return bytes(out)


def read_model(data: bytes) -> CrisisModel:
    """A model from its file's bytes; ValueError if it is of another format or featuriser."""
    line, _, body = data.partition(b"\n")
    header = json.loads(line)
    if header.get("format") != FORMAT_VERSION or header.get("featuriser") != FEATURISER_VERSION:
        raise ValueError("the crisis model is of another format or featuriser: make crisis-model")
    n = int(header["buckets_seen"])
    if len(body) != 4 * 4 * n:
        raise ValueError("the crisis model file is cut short or too long: make crisis-model")

    def block(k: int, code: str) -> array[Any]:
        values = array(code, body[4 * n * k : 4 * n * (k + 1)])
        if sys.byteorder == "big":
            values.byteswap()
        return values

    return CrisisModel(header, block(0, "I"), block(1, "f"), block(2, "f"), block(3, "f"))


@functools.cache
def model() -> CrisisModel:
    """The packaged model, read once, on first use."""
    return read_model((resources.files("flows") / "lexicons" / MODEL_FILE).read_bytes())


def _vector(
    m: CrisisModel, counts: Counter[int], weights: array[float]
) -> tuple[list[tuple[int, float]], float, float]:
    """The weighted counts of the buckets seen in training (by their index in the model), the
    length of the whole vector (unseen buckets at the highest idf), and its dot product with
    `weights`."""
    unseen = float(m.header["unseen_idf"])
    position, idf, log = m.position, m.idf, math.log
    seen: list[tuple[int, float]] = []
    norm = dot = 0.0
    for b, count in counts.items():
        i = position[b]
        value = (idf[i] if i >= 0 else unseen) * (1.0 + log(count) if count > 1 else 1.0)
        norm += value * value
        if i >= 0:
            seen.append((i, value))
            dot += weights[i] * value
    return seen, math.sqrt(norm), dot


def _probability(m: CrisisModel, counts: Counter[int], model_name: str) -> float:
    weights = m.crisis if model_name == "crisis" else m.level
    _, norm, dot = _vector(m, counts, weights)
    z = float(m.header[model_name]["intercept"]) + (dot / norm if norm else 0.0)
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


def _sum(parts: Sequence[Counter[int]], span: tuple[int, int]) -> Counter[int]:
    a, b = span
    if b - a == 1:
        return parts[a]
    total: Counter[int] = Counter()
    for part in parts[a:b]:
        total.update(part)
    return total


def read(text: str, m: CrisisModel | None = None, *, always_level: bool = False) -> Reading | None:
    """The second reader's reading of a text: the scored part with the highest crisis
    probability, and, when that reaches the threshold (or `always_level`), the level model's
    probability of danger over the whole text. None for a text with no part to score (fewer
    than MIN_WORDS words)."""
    m = m or model()
    counted = sentence_counts(text)
    spans = scored_parts([n for n, _ in counted])
    if not spans:
        return None
    parts = [c for _, c in counted]
    probability, span = max((_probability(m, _sum(parts, s), "crisis"), s) for s in spans)
    answers = probability >= m.threshold
    danger = None
    if answers or always_level:
        danger = _probability(m, _sum(parts, (0, len(parts))), "level")
    return Reading(probability, span, answers, danger)


def detect(text: str) -> str | None:
    """The level the second reader alone gives a text, or None."""
    reading = read(text)
    return reading.level if reading else None


def strongest(text: str, span: tuple[int, int]) -> list[tuple[str, float]]:
    """The words and pairs of words of the sentences in `span` that raised their crisis score
    most, each with its share of the score (the log-odds), strongest first. A word's share
    sums the word and the pieces of it; a piece found in several words is shared among them."""
    m = model()
    found = [f for words in sentences(text)[span[0] : span[1]] for f in features(words)]
    counts = Counter(bucket(feature) for _, feature in found)
    seen, norm, _ = _vector(m, counts, m.crisis)
    value = dict(seen)
    shares: dict[str, float] = {}
    for source, feature in found:
        b = bucket(feature)
        i = m.position[b]
        if i >= 0:
            shares[source] = shares.get(source, 0.0) + m.crisis[i] * value[i] / norm / counts[b]
    ranked = sorted(shares.items(), key=lambda item: -item[1])
    return [(source, share) for source, share in ranked if share > 0][:STRONGEST]
