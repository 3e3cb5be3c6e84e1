"""Every user-facing text exists in English and Swedish, with the same placeholders."""

from __future__ import annotations

import itertools
from typing import get_args

import pytest

from flows.clinic import load_clinic_config
from flows.model import LANGUAGES
from flows.notes import needed_keys
from flows.questions import FINAL_STATES, PROGRESS_STEPS, QUESTION_BY_KEY, QUESTIONS, STATES
from flows.routing import WISH_POINTS, BabyJudgement, ParentJudgement, reasons_for
from flows.texts import catalog, placeholders, plural_form, render
from storage.scrub import PLACEHOLDERS

#: About what a phone screen shows without scrolling (PRODUCT.md): longer content sits
#: behind a button.
SCREEN = 700


def test_every_reason_the_routing_can_give_is_a_needed_key() -> None:
    for main, alone in itertools.product(*(QUESTION_BY_KEY[key].codes for key in WISH_POINTS)):
        answers = {"wish_main": main, "wish_alone": alone}
        for baby in get_args(BabyJudgement):
            for parent in get_args(ParentJudgement):
                assert set(reasons_for(answers, baby, parent)) <= needed_keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_needed_key_exists(lang: str) -> None:
    missing = needed_keys(lang) - catalog(lang).keys()
    assert not missing, f"{lang} lacks {sorted(missing)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_in_the_catalog_is_used(lang: str) -> None:
    """No text is left over from questions or notes that are gone (the bot's own are apart)."""
    unused = {key for key in catalog(lang) if not key.startswith("bot.")} - needed_keys(lang)
    assert not unused, f"{lang} has texts nothing shows: {sorted(unused)}"


@pytest.mark.parametrize(("lang", "count", "said"), [
    ("en", 0, "0 unfinished chats"),
    ("en", 1, "1 unfinished chat and"),
    ("en", 2, "2 unfinished chats"),
    ("sv", 0, "0 ofärdiga samtal"),
    ("sv", 1, "1 ofärdigt samtal"),
    ("sv", 2, "2 ofärdiga samtal"),
    ("sv", 21, "21 ofärdiga samtal"),
])  # fmt: skip
def test_counts_are_worded_by_the_languages_plural_rules(lang: str, count: int, said: str) -> None:
    text = render(lang, "delete.report", sessions=count, intakes=1)
    assert said in text
    assert "(s)" not in text
    assert plural_form(lang, count) in ("one", "other")


def test_both_languages_have_the_same_keys() -> None:
    en, sv = catalog("en"), catalog("sv")
    assert sorted(en.keys() - sv.keys()) == []
    assert sorted(sv.keys() - en.keys()) == []


def test_placeholders_match_across_languages() -> None:
    en, sv = catalog("en"), catalog("sv")
    different = {
        key: (placeholders(en[key]), placeholders(sv[key]))
        for key in en
        if key in sv and placeholders(en[key]) != placeholders(sv[key])
    }
    assert different == {}


EXTRA_VALUES = {"limit": 10, "sessions": 1, "intakes": 2, "n": 3}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_renders_with_the_clinic_values(lang: str) -> None:
    values = load_clinic_config().values(lang, "bvc")
    for key, template in catalog(lang).items():
        assert template.strip(), f"{lang}:{key} is empty"
        assert placeholders(template) <= values.keys() | EXTRA_VALUES.keys(), (
            f"{lang}:{key} has an unknown placeholder"
        )
        assert "{" not in render(lang, key, **values, **EXTRA_VALUES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_text_fits_a_phone_screen(lang: str) -> None:
    values = load_clinic_config().values(lang, "bvc")
    for key in catalog(lang):
        assert len(render(lang, key, **values, **EXTRA_VALUES)) <= SCREEN, f"{lang}:{key}"


#: How the consent and privacy texts name each kind of detail the scrubber removes
#: (storage.scrub.PLACEHOLDERS); a new kind fails here until the texts promise it too.
PROMISED: dict[str, dict[str, str]] = {
    "en": {
        "phone": "phone numbers",
        "email": "e-mail addresses",
        "personnummer": "personal identity numbers",
        "address": "addresses",
        "link": "links",
        "handle": "handles",
        "name": "names",
        "date": "exact dates",
        "id": "Telegram account",
    },
    "sv": {
        "phone": "telefonnummer",
        "email": "e-postadresser",
        "personnummer": "personnummer",
        "address": "adresser",
        "link": "länkar",
        "handle": "användarnamn",
        "name": "namn",
        "date": "exakta datum",
        "id": "Telegramkonto",
    },
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_consent_and_privacy_name_every_kind_of_detail_the_scrubber_removes(lang: str) -> None:
    unnamed = sorted(set(PLACEHOLDERS) - PROMISED[lang].keys())
    assert not unnamed, f"say in prompt.consent and privacy that {unnamed} are removed"
    for key in ("prompt.consent", "privacy"):
        text = render(lang, key)
        for placeholder in PLACEHOLDERS:
            assert PROMISED[lang][placeholder] in text, f"{lang}:{key} lacks {placeholder}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_never_promises_that_no_one_acts_on_a_concern_for_a_child(lang: str) -> None:
    for key in ("prompt.consent", "privacy"):
        text = render(lang, key).casefold()
        for promise in ("social services", "socialtjänst", "anmälning", "report"):
            assert promise not in text, f"{lang}:{key}"
    duty = {"en": "must act if they worry about a child", "sv": "skyldighet att agera"}
    assert duty[lang] in render(lang, "privacy")


def test_progress_steps_and_final_states_are_states() -> None:
    assert set(PROGRESS_STEPS) <= set(STATES)
    assert set(FINAL_STATES) <= set(STATES)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_parents_never_see_the_internal_judgement_words(lang: str) -> None:
    for text in catalog(lang).values():
        lowered = text.casefold()
        for word in ("participator", "abandoned", "övergiven", "deltagare"):
            assert word not in lowered


@pytest.mark.parametrize("lang", LANGUAGES)
def test_crisis_texts_carry_every_help_number(lang: str) -> None:
    values = load_clinic_config().values(lang, "bvc")
    danger = render(lang, "crisis.danger", **values)
    for number in ("112", "1177", "90101"):
        assert number in danger
        assert number in render(lang, "suggest.after.danger", **values)
    assert "1177" in render(lang, "crisis.unwanted_thoughts", **values)
    assert "1177" in render(lang, "suggest.after.unwanted_thoughts", **values)
    for number in ("112", "90101"):  # a parent who is not safe is told whom to call at once
        assert number in render(lang, "safe_check.reask", **values)



#: Words of the staff and the code that parents never read; counts are worded per plural form.
STAFF_WORDS = ("intake", "intag", "(s)", "conversation(s)", "participator", "deltagare")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_parents_never_read_staff_words_or_a_plural_in_brackets(lang: str) -> None:
    values = load_clinic_config().values(lang, "bvc")
    for key in needed_keys(lang):
        text = render(lang, key, **values, **EXTRA_VALUES).casefold()
        for word in STAFF_WORDS:
            assert word not in text, f"{lang}:{key} says {word!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_clinic_is_named_once_with_its_number(lang: str) -> None:
    values = load_clinic_config().values(lang, "bvc")
    for key in needed_keys(lang):
        text = render(lang, key, **values, **EXTRA_VALUES)
        assert ") (" not in text, f"{lang}:{key}"  # "(BVC) (1177)"
        assert "Your clinic, your" not in text, f"{lang}:{key}"


@pytest.mark.parametrize(("lang", "welcome"), [("en", "Welcome"), ("sv", "Välkommen")])
def test_the_note_for_fathers_and_partners_does_not_welcome_again(lang: str, welcome: str) -> None:
    assert welcome not in render(lang, "research.fathers")


@pytest.mark.parametrize(("lang", "nothing"), [("en", "nothing"), ("sv", "ingenting")])
def test_after_stop_the_bot_says_what_remains_not_that_nothing_does(
    lang: str, nothing: str
) -> None:
    stopped = render(lang, "prompt.stopped").casefold()
    assert {"en": "anonymous count", "sv": "anonym siffra"}[lang] in stopped
    assert f"{nothing} from this chat" not in stopped
    assert "ingenting från den här chatten" not in stopped


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_question_about_the_baby_holds_its_answer(lang: str) -> None:
    """Neutral questions: none says "often" or "sometimes" (its answers do)."""
    for key in ("baby_reacts", "baby_distress", "baby_withdrawn"):
        question = render(lang, f"q.{key}").casefold()
        for word in {"en": ("often", "sometimes"), "sv": ("ofta", "ibland")}[lang]:
            assert word not in question, f"{lang}:q.{key}"


#: Swedish a native speaker corrected (issue 11): none of it may come back.
CORRECTED_SWEDISH = (
    "Är sömn eller mat en oro",
    "till exempel vända sig bort",
    "lämnad ensam",
    "förstå mer av",
    "Skriv gärna inga",
    "Be om du kan",
    "Det du beskriver behöver hjälp",
    "förvrängd kod",
)


def test_the_corrected_swedish_stays_corrected() -> None:
    for key, text in catalog("sv").items():
        for phrase in CORRECTED_SWEDISH:
            assert phrase not in text, f"sv:{key} says {phrase!r}"
    older = render("sv", "suggest.next.older_child", **load_clinic_config().values("sv", "bvc"))
    assert "Efter det finns elevhälsan" in older  # school health: only after school start


def test_one_wish_question_and_one_follow_up() -> None:
    wishes = [question.key for question in QUESTIONS if question.topic == "wish"]
    assert wishes == ["wish_main", "wish_alone"]
