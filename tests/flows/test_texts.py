"""Every user-facing text exists in English and Swedish, with the same placeholders."""

from __future__ import annotations

import itertools

import pytest

from flows.clinic import load_clinic_config
from flows.model import LANGUAGES
from flows.notes import needed_keys
from flows.questions import FINAL_STATES, PROGRESS_STEPS, STATES
from flows.routing import WISH_POINTS, reasons_for
from flows.texts import catalog, placeholders, render
from storage.scrub import PLACEHOLDERS

#: About what a phone screen shows without scrolling (PRODUCT.md): longer content sits
#: behind a button.
SCREEN = 700


def required_keys() -> set[str]:
    """Every key the conversation can ask for, derived from its data: screens, notes, routing."""
    return set(needed_keys())


def test_every_reason_the_routing_can_give_is_a_needed_key() -> None:
    often = ("often", "sometimes", "rarely", "not_sure")
    for signals in itertools.product(often, repeat=3):
        answers = dict(
            zip(("baby_reacts", "baby_distress", "baby_withdrawn"), signals, strict=True)
        )
        for key, table in WISH_POINTS.items():
            for code in table:
                for baby in ("affected", "not_affected", "unclear"):
                    assert set(reasons_for({**answers, key: code}, baby)) <= needed_keys()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_needed_key_exists(lang: str) -> None:
    missing = required_keys() - catalog(lang).keys()
    assert not missing, f"{lang} lacks {sorted(missing)}"


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


EXTRA_VALUES = {"reasons": "• x", "limit": 10, "sessions": 1, "intakes": 2}


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

