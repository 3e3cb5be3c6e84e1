"""The second reader of crisis detection (flows.crisis_model) on its own.

Its figures on the corpora are held by tests/flows/test_safety.py, through `detect_crisis`;
here: the model file is the one the training files give (or the test says to retrain), the
featuriser counts what it names, the reader catches paraphrases the rules miss, stays quiet
on the answers parents tap or type, reads odd input, and always gives the same score for the
same text (its time on odd input is measured with the rules' in test_safety.py). None of it
needs scikit-learn.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from flows import crisis_model
from flows.crisis_model import read, read_model, scored_parts, write_model
from flows.ngrams import FEATURISER_VERSION, bucket, features, sentence_counts
from flows.safety import SECOND_READER, detect_crisis, explain, fold
from flows.splitting import sentences
from tests.support.safety_corpus import (
    DATA,
    answer_labels,
    training_digest,
    training_files,
    training_rows,
)

RETRAIN = "the crisis model is stale: run make crisis-model"


def test_the_model_was_trained_on_the_training_files_as_they_are() -> None:
    header = crisis_model.model().header
    assert header["training_sha256"] == training_digest(), RETRAIN
    assert header["training_rows"] == len(training_rows()), RETRAIN
    assert header["training_files"] == [f.relative_to(DATA).as_posix() for f in training_files()]
    assert header["featuriser"] == FEATURISER_VERSION, RETRAIN


def test_the_header_records_how_the_threshold_was_chosen() -> None:
    header = crisis_model.model().header
    cv = header["cross_validation"]
    assert cv["folds"] == 5
    assert 0.5 <= header["crisis"]["threshold"] < 1
    for language in ("en", "sv"):
        assert cv["crisis"][language]["false_alarms"] <= cv["max_false_alarms"] <= 0.04
        assert cv["crisis"][language]["recall"] > 0.5
    assert header["crisis"]["scored_parts"] == crisis_model.SCORED_PARTS
    assert cv["level"]["balanced_accuracy"] > 0.9


def test_the_model_keeps_only_buckets_seen_in_training_sorted() -> None:
    m = crisis_model.model()
    assert len(m.buckets) == m.header["buckets_seen"] > 10_000
    assert all(a < b for a, b in zip(m.buckets, m.buckets[1:], strict=False))
    assert len(m.idf) == len(m.crisis) == len(m.level) == len(m.buckets)
    assert max(m.idf) <= m.header["unseen_idf"]


def test_the_model_file_round_trips_and_refuses_another_featuriser() -> None:
    header = {"unseen_idf": 3.0, "crisis": {"intercept": -1.0, "threshold": 0.5}}
    data = write_model(header, [3, 70], [1.5, 2.0], [0.25, -0.5], [1.0, 0.0])
    m = read_model(data)
    assert list(m.buckets) == [3, 70]
    assert list(m.crisis) == [0.25, -0.5]
    assert m.threshold == 0.5
    with pytest.raises(ValueError, match="make crisis-model"):
        read_model(data.replace(b'"featuriser": 1', b'"featuriser": 0'))
    with pytest.raises(ValueError, match="cut short"):
        read_model(data[:-3])


def test_the_counts_are_those_of_the_named_features() -> None:
    text = "Jag VILL inte vara kvar. idk anymoreee 💊\nbye"
    named = [
        (len(words), Counter(bucket(f) for _, f in features(words))) for words in sentences(text)
    ]
    assert sentence_counts(text) == named
    assert sentences(text) == [
        ["jag", "vill", "inte", "vara", "kvar"],
        ["idk", "anymore", "💊"],
        ["bye"],
    ]
    assert ("vill", "wvill") in set(features(["vill"]))
    assert ("jag vill", "bjag vill") in set(features(["jag", "vill"]))
    # the 3-, 4- and 5-grams of " vill ", and the word itself
    pieces = {"c vi", "cvil", "cill", "cll ", "c vil", "cvill", "cill ", "c vill", "cvill "}
    assert set(features(["vill"])) == {("vill", f) for f in {*pieces, "wvill"}}


def test_each_sentence_and_each_pair_of_neighbours_is_scored() -> None:
    assert scored_parts([]) == []
    assert scored_parts([5]) == [(0, 1)]
    assert scored_parts([4, 3, 9]) == [(0, 1), (1, 2), (2, 3), (0, 2), (1, 3)]
    assert scored_parts([2, 1, 2]) == [(0, 2), (1, 3)]  # at least MIN_WORDS words
    assert scored_parts([2]) == []


def rules_only(text: str) -> str | None:
    levels = {f.level for f in explain(text) if not f.rule.startswith(SECOND_READER)}
    return "danger" if "danger" in levels else "unwanted_thoughts" if levels else None


#: Written for this test after the model was trained, eight sentences on one theme (a quiet
#: wish for everything, oneself included, to stop). The rules caught three of them; these are
#: the other five. The reader catches four (the last, p 0.39, it misses); one retraining may
#: move a sentence across the threshold (the fourth is at 0.81), so three are asked for.
PARAPHRASES = [
    "some nights I just lie there wishing the whole thing would stop, me included",
    "I think the kindest thing I could do for them is to not be in the picture",
    "I've stopped seeing the point of waking up in the morning",
    "ibland önskar jag att jag bara kunde somna och slippa allt",
    "jag har börjat skriva ner vem som ska få mina saker",
]


def test_the_second_reader_catches_paraphrases_the_rules_miss() -> None:
    assert [rules_only(text) for text in PARAPHRASES] == [None] * len(PARAPHRASES)
    caught = [text for text in PARAPHRASES if (r := read(text)) is not None and r.answers]
    assert len(caught) >= 3, caught
    for text in caught:
        assert detect_crisis(text) == explain(text)[0].level == "danger"


def test_explain_names_the_second_reader_with_its_probability_and_strongest_words() -> None:
    (finding,) = explain(PARAPHRASES[0])
    assert finding.rule.startswith(SECOND_READER)
    assert finding.probability is not None
    assert finding.probability >= crisis_model.model().threshold
    assert f"p={finding.probability:.2f}" in finding.rule
    assert 0 < len(finding.words) <= crisis_model.STRONGEST
    named = [w.rsplit(" ", 1)[0] for w in finding.words]
    assert all(n in fold(PARAPHRASES[0]) for n in named), named
    shares = [float(w.rsplit(" ", 1)[1]) for w in finding.words]
    assert shares == sorted(shares, reverse=True)
    assert all(share > 0 for share in shares)


def test_the_rules_decide_whenever_they_fire() -> None:
    findings = explain("I want to die")
    assert findings
    assert not any(f.rule.startswith(SECOND_READER) for f in findings)


def test_a_crisis_sentence_in_a_long_everyday_message_is_not_diluted() -> None:
    everyday = "She slept two hours in the pram and then we had lunch at my mum's place. " * 12
    crisis = PARAPHRASES[1]
    alone = read(crisis)
    inside = read(f"{everyday}{crisis}. {everyday}")
    assert alone is not None
    assert inside is not None
    assert inside.probability >= alone.probability >= crisis_model.model().threshold
    assert inside.answers


@pytest.mark.parametrize("label", sorted({row.text for _, row in answer_labels()}))
def test_the_answers_parents_tap_or_type_are_not_read_as_crisis(label: str) -> None:
    reading = read(label)
    assert reading is None or not reading.answers, (label, reading)


@pytest.mark.parametrize(
    "text", ["", "   ", "\n\n", "...", "!!!", "\x00\u200b\ufeff", "a", "😭", "x" * 5000]
)
def test_odd_input_is_read_without_error(text: str) -> None:
    reading = read(text)
    assert reading is None or 0.0 <= reading.probability <= 1.0
    assert detect_crisis(text) in (None, "danger", "unwanted_thoughts")


def test_texts_of_fewer_than_three_words_are_left_to_the_rules() -> None:
    assert read("") is None
    assert read(" .!? ,;") is None
    assert read("something else") is None  # "he's something else" is said of a baby
    assert detect_crisis("kms") == "danger"  # the rules hold the short crisis words
    assert read("i'm done. bye") is not None  # two sentences read together are long enough


def test_the_same_text_always_gets_the_same_score() -> None:
    text = PARAPHRASES[2]
    first = read(text)
    assert first is not None
    assert all(read(text) == first for _ in range(3))
    code = (
        "from flows.crisis_model import read; "
        f"r = read({text!r}); print(repr(r.probability), repr(r.danger_probability))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {f"{first.probability!r} {read(text, always_level=True).danger_probability!r}\n"}


def test_the_detector_needs_neither_numpy_nor_scikit_learn() -> None:
    code = (
        "import sys, flows.safety; flows.safety.detect_crisis('jag orkar inte mer med livet'); "
        "print(sorted(m for m in ('numpy', 'scipy', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
