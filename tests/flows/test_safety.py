"""Crisis detection in English and Swedish, measured on the corpora in tests/data.

The corpora (tests/data/safety_en.tsv, safety_sv.tsv) hold the sentences: parents' own words,
crisis and everyday, with look-alikes. These tests hold the figures to PRODUCT.md's promise
(every crisis answered, danger as danger, few false alarms) and check the pieces: the levels
that negation and fear choose, the lexicons' consistency, and linear time on odd input, for
the detector and its second reader (whose own behaviour is in test_crisis_model.py).
"""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows import crisis_aims, crisis_model, crisis_neighbours
from flows.crisis_rules import LEVEL_GROUPS, rules
from flows.safety import concepts, detect_by_rules, detect_crisis, explain, fold, higher
from tests.support.safety_corpus import DATA, LEVELS, measure, read_corpus, report

LANGUAGES = ("en", "sv")
#: Floors the corpora reach; unwanted thoughts treated as an emergency can frighten and shame.
MAX_FALSE_ALARMS = 0.05
MIN_UNWANTED_EXACT = 0.95


def corpus(language: str) -> list:  # type: ignore[type-arg]
    return read_corpus(DATA / f"safety_{language}.tsv")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_corpus_is_broad_and_well_formed(language: str) -> None:
    rows = corpus(language)
    crisis = [r for r in rows if r.level != "none"]
    assert len(crisis) >= 300
    assert sum(r.level == "none" for r in rows) >= 200
    assert {r.level for r in rows} == set(LEVELS)
    texts = [r.text for r in rows]
    assert len(texts) == len(set(texts)), "a sentence is in the corpus twice"
    kinds = {r.kind for r in crisis}
    assert {"pronoun", "inflection", "euphemism", "method", "impulse", "psychosis"} <= kinds
    assert {"typo", "nopunct", "caps", "emoji", "sms", "mixed"} <= kinds
    assert "lookalike" in {r.kind for r in rows if r.level == "none"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_crisis_sentence_is_answered(language: str) -> None:
    scores = measure(corpus(language))
    assert scores.missed == [], "\n".join(report(language, scores, misses=True))
    assert scores.recall == 1.0


@pytest.mark.parametrize("language", LANGUAGES)
def test_danger_is_answered_as_danger(language: str) -> None:
    scores = measure(corpus(language))
    assert scores.danger_too_low == [], "\n".join(report(language, scores, misses=True))


@pytest.mark.parametrize("language", LANGUAGES)
def test_everyday_sentences_rarely_raise_an_alarm(language: str) -> None:
    scores = measure(corpus(language))
    assert scores.false_alarms <= MAX_FALSE_ALARMS, "\n".join(report(language, scores, misses=True))


@pytest.mark.parametrize("language", LANGUAGES)
def test_unwanted_thoughts_get_the_calm_reply(language: str) -> None:
    scores = measure(corpus(language))
    assert scores.unwanted_exact >= MIN_UNWANTED_EXACT, "\n".join(
        report(language, scores, misses=True)
    )


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # fear, negation and "what if" make harm to the baby an unwanted thought...
        ("I'm scared I'll hurt him", "unwanted_thoughts"),
        ("I would never hurt her, but the thoughts come", "unwanted_thoughts"),
        ("what if I drop her", "unwanted_thoughts"),
        ("jag är rädd att jag ska skada honom", "unwanted_thoughts"),
        ("jag vill inte skada henne men tankarna kommer", "unwanted_thoughts"),
        # ...but a wish, a plan, a deed, "on purpose" or lost control keep it danger
        ("I'm scared because I want to hurt him", "danger"),
        ("I shook her and now I'm terrified", "danger"),
        ("I'm afraid I'll lose control and hurt him", "danger"),
        ("jag tappade honom med flit", "danger"),
        ("jag vill skada henne och det skrämmer mig", "danger"),
        # negation or fear never silence a danger about oneself
        ("I don't want to live", "danger"),
        ("I'm scared because I want to die", "danger"),
        ("jag vill inte finnas", "danger"),
    ],
)
def test_negation_and_fear_choose_the_level(text: str, level: str) -> None:
    assert detect_crisis(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "she choked on a piece of apple but is fine",
        "I could kill my husband when he snores",
        "he threw up on me",
        "jag är dödstrött",
        "hon kastar upp",
        "tappade nappen",
    ],
)
def test_figures_of_speech_and_things_are_not_harm(text: str) -> None:
    assert detect_crisis(text) is None, explain(text)


def test_word_order_and_inflection_do_not_matter() -> None:
    for text in (
        "ibland vill jag bara dö",
        "dö vill jag",
        "jag vill dö",
        "him I want to hurt",
        "I want to hurt him",
        "she keeps cutting myself",  # ungrammatical on purpose: the words still carry it
        "har skurit mig, jag",
        "jag skar mig",
    ):
        assert detect_crisis(text) == "danger", text


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # a negation belongs to its own verb, not to a wish after another verb or subject
        ("cant breathe cant think wanna die", "danger"),
        ("when she wouldn't stop I wanted to shake her", "danger"),
        ("när hon inte slutade ville jag skaka henne", "danger"),
        ("if he doesn't stop screaming I'll hurt him", "danger"),
        ("I don't really want to be alive", "danger"),
        # a harm word aimed at a body part is aimed at its owner
        ("I burn my arm with a lighter", "danger"),
        ("jag bränner armen med en tändare", "danger"),
        ("I keep seeing myself snipping her finger with the clippers", "unwanted_thoughts"),
        # glued subjects and chat spelling
        ("idont want to be here anymore", "danger"),
        ("jagvill dö", "danger"),
        ("i keep hurtng myself", "danger"),
        # inside a pictured scene, "on purpose" belongs to the picture
        ("I had a picture of me dropping her on purpose, I'd never want that", "unwanted_thoughts"),
        # a method is danger, but with the baby in a frightening picture an unwanted thought
        ("I keep thinking about driving into the river", "danger"),
        ("I keep picturing the car crashing with him in it and I feel sick", "unwanted_thoughts"),
    ],
)
def test_readings_of_neighbouring_words(text: str, level: str) -> None:
    assert detect_crisis(text) == level, explain(text)


@pytest.mark.parametrize(
    "text",
    [
        "my toddler keeps hitting the baby",  # an older sibling's act is not the parent's
        "I want to throw the baby monitor out of the window",  # a thing for the baby
        "I think I'll take him to the doctor tonight",  # Swedish 'tak' is not English 'take'
        "she woke up and told me she was hungry",  # nor 'andarna' English 'and'
        "I burned myself on the oven door",
        "I want to disappear under the duvet for a whole day",
        "it's not safe for her to sleep in my bed, is it",
    ],
)
def test_everyday_words_near_crisis_words_are_not_alarms_to_the_rules(text: str) -> None:
    # The rules' readings. The second reader, which reads no such thing, takes "I think I'll
    # take him to the doctor tonight" for danger (docs/safety.md, "What it does not do").
    assert detect_by_rules(text) is None, explain(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # bare words: what a decision or a goodbye is about is left unsaid...
        ("no one needs to worry, I've decided", "danger"),
        ("can't do this. i'm done. goodbye x", "danger"),
        ("jag har planerat hur jag ska göra", "danger"),
        ("det blir i helgen, jag har bestämt mig", "danger"),
        # ...or named, and everyday
        ("don't worry about me, I've decided to take the job", None),
        ("I'm done with expressing, goodbye pump!", None),
        ("det blir pizza i helgen", None),
        # a figure of speech yields to a longer phrase starting at the same word
        ("enda vägen ut är att ta bort mig själv", "danger"),
        ("kan du ta bort den", None),
        # who does the act: an older sibling further back, a thing just before it
        ("my eldest is so jealous, she pinches the baby", None),
        ("her jabs hurt her and she cried", None),
        # a baby who is only the time of a method is not in it
        ("tänkte på att hoppa från balkongen medan hon sov", "danger"),
        # a disowned wish, and a scene opened early in the sentence
        ("it's not that I want to hurt him, the thoughts just come", "unwanted_thoughts"),
        (
            "I get sudden thoughts of heating his bottle too hot on purpose and burning him",
            "unwanted_thoughts",
        ),
        ("I keep thinking about hurting her on purpose", "danger"),
    ],
)
def test_round_three_readings(text: str, level: str | None) -> None:
    assert detect_crisis(text) == level, explain(text)


def test_explain_says_which_rule_fired_and_on_which_words() -> None:
    (finding,) = [f for f in explain("nu orkar jag inte mer") if f.rule == "cannot go on"]
    assert finding.level == "danger"
    assert {"orkar", "inte"} <= set(finding.words)


def test_concepts_tag_each_word_in_both_languages() -> None:
    tagged = dict(concepts("jag want to hurt honom"))
    assert "i" in tagged["jag"]
    assert "wish" in tagged["want"]
    assert "harm" in tagged["hurt"]
    assert "baby" in tagged["honom"]


def _lexicon(language: str) -> dict:  # type: ignore[type-arg]
    text = (resources.files("flows") / "lexicons" / f"{language}.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_both_lexicons_carry_the_same_concepts_each_with_its_reason() -> None:
    en, sv = (_lexicon(lang)["concepts"] for lang in LANGUAGES)
    # Swedish "mig" is also the reflexive (skära mig); English has only "myself".
    assert set(en) == set(sv) - {"me_obj"}
    for lexicon in (en, sv):
        for name, spec in lexicon.items():
            assert spec["about"].strip(), name
            assert spec["words"], name


def test_every_concept_a_rule_needs_is_in_the_lexicons_and_every_concept_is_used() -> None:
    in_lexicons = set(_lexicon("en")["concepts"]) | set(_lexicon("sv")["concepts"])
    # Concepts the code derives from neighbours (flows.crisis_aims, flows.crisis_neighbours).
    derived = crisis_aims.DERIVED | crisis_neighbours.DERIVED
    # Concepts read by the code itself rather than a rule.
    read_by_code = {"thing", "adult", "filler", "reflexive", "me_obj", "hypothetical", "selfharm"}
    read_by_code |= {"neg_after", "instrument", "body", "theirs", "sibling", "skin", "it", "adverb"}
    read_by_code |= {"while", "owner_of", "disown", "breaks", "plan_how", "do_verb", "let_go"}
    read_by_code |= {"done", "no_way", "dye", "happen", "cond", "have_plan", "wait_bare", "onto"}
    used = {c for rule in rules().rules for group in rule.needs for c in group}
    used |= {c for rule in rules().rules for c in rule.unless}
    assert used - derived <= in_lexicons
    # Concepts that choose the level of harm to the baby (the rules' groups the code reads).
    used |= {c for group in LEVEL_GROUPS for c in rules().concepts(group)}
    assert in_lexicons <= used | read_by_code


def test_higher_keeps_the_most_urgent_level() -> None:
    assert higher("none", "danger") == "danger"
    assert higher("danger", "unwanted_thoughts") == "danger"
    assert higher("none", "unwanted_thoughts") == "unwanted_thoughts"


def test_fold_is_the_form_typed_answers_are_matched_in() -> None:
    assert fold("  Självmord’s  ÖVERDOS ") == "sjalvmord's overdos"


DANGER_SAMPLE = [r.text for lang in LANGUAGES for r in corpus(lang) if r.level == "danger"][::12]


@given(st.text(max_size=300), st.sampled_from(DANGER_SAMPLE))
def test_a_danger_sentence_is_found_whatever_surrounds_it(noise: str, sentence: str) -> None:
    assert detect_crisis(f"{noise}\n{sentence}\n{noise}") == "danger"


@given(st.text(max_size=2000))
def test_any_text_is_read_without_error(text: str) -> None:
    assert detect_crisis(text) in (None, "danger", "unwanted_thoughts")


ODD_TEXTS = {
    "one long word": "a" * 4000,
    "repeated words": "hurt " * 800,
    "emoji": "😭👶🏽‍🍼" * 500,
    "control characters": "\x00\x07\u200b\u202e\ufeff" * 800,
    "combining marks": "a" + "\u0301" * 4000,
    "apostrophes": "'" * 4000,
    "sentences": "i want. " * 500,
    "mixed": "jag vill inte skada honom men what if i drop her, " * 80,
    "bare decisions": "I've decided to go " * 400,
    "letting go": "letting go with the baby near " * 200,
    "one long sentence": "she said if it wasn't for the baby I'd be done and " * 120,
    "new words": " ".join(f"w{n}x{n * 7}" for n in range(600)),
}


#: The detector, and its second reader alone (which reads every text the rules let pass).
TIMED = {"detector": detect_crisis, "second reader": crisis_model.read}


def _best_time(read: Callable[[str], object], text: str) -> float:
    """The fastest of three runs: the machine is shared, the slowest runs measure the others."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        read(text)
        times.append(time.perf_counter() - start)
    return min(times)


@pytest.mark.parametrize("reader", TIMED)
@pytest.mark.parametrize("name", ODD_TEXTS)
def test_odd_input_is_read_in_linear_time(name: str, reader: str) -> None:
    text, read = ODD_TEXTS[name], TIMED[reader]
    read(text[:10])  # lexicons and model loaded outside the timing
    once, four_times = _best_time(read, text), _best_time(read, text * 4)
    assert once < 0.5, f"{name}: {once:.3f}s for {len(text)} characters"
    # linear: four times the text takes about four times as long, never sixteen
    assert four_times < 10 * once + 0.05, f"{name}: {once:.4f}s, then {four_times:.4f}s for x4"


def test_a_long_message_is_read_in_tens_of_milliseconds() -> None:
    message = " ".join(r.text for r in corpus("en"))[:4000]
    for read in TIMED.values():
        read(message)  # its words seen once, as a parent's own words are after their first
        assert _best_time(read, message) < 0.1


def test_importing_the_detector_loads_no_lexicon_until_it_is_used() -> None:
    code = (
        "import sys, flows.safety; print('snowballstemmer.swedish_stemmer' in sys.modules); "
        "flows.safety.detect_crisis('hej'); print('snowballstemmer.swedish_stemmer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_prepare_loads_everything_a_first_message_would_wait_for() -> None:
    code = (
        "import sys, time, flows.safety; flows.safety.prepare(); "
        "print(sorted(m for m in ('snowballstemmer.swedish_stemmer', "
        "'snowballstemmer.english_stemmer') if m in sys.modules)); "
        "start = time.perf_counter(); "
        "flows.safety.detect_crisis('Ibland vill jag bara försvinna, I can not sleep'); "
        "print(time.perf_counter() - start)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded, seconds = out.stdout.splitlines()
    assert loaded == "['snowballstemmer.english_stemmer', 'snowballstemmer.swedish_stemmer']"
    # Loading takes a tenth of a second and more; a message once everything is loaded, about
    # a millisecond. The bound leaves room for a busy machine.
    assert float(seconds) < 0.05
