"""Whole conversations through the pure engine, as scripts."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flows.clinic import load_clinic_config
from flows.engine import Engine
from flows.model import FLOW_VERSION, LANGUAGES, Aside, Command, Conversation, Tap, Text
from flows.record import RECORD_FIELDS, intake_record
from flows.routing import route_for
from flows.texts import render
from tests.support import EXPECTED_SUGGESTION, after, intake_script, player, until

SHIPPED = Path(__file__).parents[2] / "flows" / "clinics" / "sweden.toml"


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(("baby", "parent"), sorted(EXPECTED_SUGGESTION))
def test_every_routing_cell_in_both_languages(lang: str, baby: str, parent: str) -> None:
    p = player(lang)
    p.play(intake_script(baby, parent))
    record = intake_record(p.conversation)
    code = EXPECTED_SUGGESTION[(baby, parent)]
    assert record["suggestion"] == code
    assert (record["baby_judgement"], record["parent_judgement"]) == (baby, parent)
    assert record["lang"] == lang
    assert ("complete", "") in p.effects()
    replies = p.steps[-1].replies
    # A headline (alone), how to go on, and the end with both kinds of care behind buttons.
    assert [r.key for r in replies] == [f"suggest.{code}", f"suggest.next.{code}", "prompt.done"]
    assert replies[0].alone
    assert [o.code for o in replies[-1].options] == ["about_mip", "about_chc", "restart"]
    p.play([("tap:about_mip", "care.mip", "done"), ("tap:about_chc", "care.chc", "done")])
    assert p.steps[-1].replies[-1].key == "prompt.done_again"  # the buttons stay, asked short


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(("baby", "parent"), sorted(EXPECTED_SUGGESTION))
def test_the_headline_is_one_line_what_may_suit_one_reason_per_judgement_and_one_caveat(
    lang: str, baby: str, parent: str
) -> None:
    p = player(lang)
    p.play(intake_script(baby, parent))
    headline = p.steps[-1].replies[0]
    lines = headline.text.split("\n")
    assert len(lines) == 4
    assert lines[0] == render(lang, headline.key)
    reasons = route_for(p.conversation.answers).reasons
    assert lines[1:3] == ["• " + render(lang, key) for key in reasons]
    assert lines[3] == render(lang, "suggest.provisional")


def test_the_reasons_are_said_from_the_judgements() -> None:
    p = player()
    p.play(intake_script("affected", "understand"))
    headline = p.steps[-1].replies[0].text
    assert "Your baby seems to feel it when things are hard for you." in headline
    assert "You would like to understand how you and your baby affect each other." in headline
    assert "advice" not in headline  # nothing said of a wish the parent did not have


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("code", ["mip", "mip_with_guidance", "mip_may_suit", "chc_first", "both"])
def test_every_suggestion_that_names_mip_ends_with_a_way_to_reach_it(lang: str, code: str) -> None:
    cell = next(cell for cell, suggested in EXPECTED_SUGGESTION.items() if suggested == code)
    p = player(lang)
    p.play(intake_script(*cell))
    how = next(r for r in p.steps[-1].replies if r.key == f"suggest.next.{code}")
    route = load_clinic_config().mip_route[lang]
    assert route in how.text
    assert "1177" in route
    assert "föräldra-spädbarnspsykoterapi" in route
    assert "remiss" in route or "refer" in route


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_both_says_start_with_the_nurse_and_puts_the_nurse_first(lang: str) -> None:
    p = player(lang)
    p.play(intake_script("unclear", "understand"))
    how = next(r.text for r in p.steps[-1].replies if r.key == "suggest.next.both")
    contact = load_clinic_config().clinics["bvc"].contact[lang]
    assert how.index(contact) < how.index(load_clinic_config().mip_route[lang])


def test_a_clinic_with_its_own_mip_contact_gives_it(tmp_path: Path) -> None:
    config = tmp_path / "clinics.toml"
    config.write_text(
        SHIPPED.read_text("utf-8")
        + textwrap.dedent(
            """
            [clinics.solrosen]
            name = "BVC Solrosen"
            phone = "08-123 456 00"
            contact = "Call BVC Solrosen on 08-123 456 00."

            [clinics.solrosen.mip]
            name = { en = "The infant team at BUP Norr", sv = "Spädbarnsteamet på BUP Norr" }
            phone = "08-123 456 99"
            web = "https://example.org/spadbarnsteamet"
            booking = { en = "Ask for a first visit.", sv = "Be om ett första besök." }
            """
        ),
        "utf-8",
    )
    engine = Engine(load_clinic_config(config))
    contact = {
        "en": "• To reach MIP: The infant team at BUP Norr: 08-123 456 99, "
        "https://example.org/spadbarnsteamet. Ask for a first visit.",
        "sv": "• För att komma till MIP: Spädbarnsteamet på BUP Norr: 08-123 456 99, "
        "https://example.org/spadbarnsteamet. Be om ett första besök.",
    }
    for lang in LANGUAGES:
        p = player(lang, engine)
        p.play([("/start solrosen", None, "welcome"), *intake_script()[1:]])
        how = next(r.text for r in p.steps[-1].replies if r.key == "suggest.next.mip")
        assert contact[lang] in how.splitlines()
        assert load_clinic_config().mip_route[lang] not in how


def test_record_has_exactly_the_declared_fields_and_no_identifiers() -> None:
    p = player()
    p.play(intake_script(free_text="We moved recently"))
    record = intake_record(p.conversation)
    assert tuple(record) == RECORD_FIELDS
    assert record["free_text"] == "We moved recently"
    assert record["outcome"] == "suggestion"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_declining_consent_gives_information_and_stores_nothing(lang: str) -> None:
    p = player(lang)
    p.play(
        [
            ("/start", "prompt.welcome", "welcome"),
            ("tap:begin", "prompt.consent", "consent"),
            ("tap:no", "declined", "declined"),
        ]
    )
    replies = p.steps[-1].replies
    assert [r.key for r in replies] == ["declined", "prompt.declined"]
    said = " ".join(r.text for r in replies).casefold()
    assert said.count({"en": "stored", "sv": "sparas"}[lang]) == 1  # said once, not twice
    for word in ("BVC", "MIP"):  # a word about both kinds of care, more behind the buttons
        assert word in replies[0].text
    assert [o.code for o in replies[-1].options] == ["about_mip", "about_chc", "restart"]
    p.play([("tap:about_mip", "care.mip", "declined"), ("tap:about_chc", "care.chc", None)])
    assert ("discard", "") in p.effects()
    assert not any(kind == "complete" for kind, _ in p.effects())


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_privacy_from_consent_asks_again_in_one_line_not_the_whole_consent(lang: str) -> None:
    p = player(lang)
    p.play(
        [
            ("/start", "prompt.welcome", "welcome"),
            ("tap:begin", "prompt.consent", "consent"),
            ("tap:privacy", "privacy", "consent"),
        ]
    )
    assert [r.key for r in p.steps[-1].replies] == ["privacy", "prompt.consent_again"]
    assert "\n" not in p.steps[-1].replies[-1].text
    p.play([("/privacy", "prompt.consent_again", "consent"), ("ja", "q.role", "role")])


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("command", ["/help", "/hjälp", "/hjalp"])
def test_help_at_the_welcome_does_not_send_the_whole_welcome_again(lang: str, command: str) -> None:
    p = player(lang)
    p.play([("/start", "prompt.welcome", "welcome"), (command, "help", "welcome")])
    assert [r.key for r in p.steps[-1].replies] == ["help", "prompt.welcome_again"]
    p.play([("1", "prompt.consent", "consent")])


def test_a_sticker_at_the_welcome_is_answered_with_the_short_ask() -> None:
    p = player()
    p.play([("/start", None, "welcome")])
    step = p.engine.handle(p.conversation, Aside("bot.kind.sticker"))
    assert [r.key for r in step.replies] == ["bot.kind.sticker", "prompt.welcome_again"]


def test_older_child_is_pointed_elsewhere_and_recorded() -> None:
    p = player()
    p.play(
        [
            ("/start", None, "welcome"),
            ("tap:begin", None, "consent"),
            ("tap:yes", None, "role"),
            ("tap:father", "research.fathers", "age_band"),
            ("tap:over_3y", "q.safety", "safety"),  # asked on this path too, before it ends
            ("/back", "q.age_band", "age_band"),
            ("tap:over_3y", "q.safety", "safety"),
            ("tap:no", "summary", "summary"),  # the answers, with a way to change any of them
            ("tap:confirm", "suggest.older_child", "older_child"),
        ]
    )
    replies = p.steps[-1].replies
    assert [r.key for r in replies] == [
        "suggest.older_child",
        "suggest.next.older_child",
        "prompt.older_child",
    ]
    said = " ".join(r.text for r in replies)
    assert "Thank you" not in said  # the parent was thanked for nothing new
    assert "school health service" in said  # for a child past school start, not at 3 to 5
    record = intake_record(p.conversation)
    assert record["suggestion"] == "older_child"
    assert record["outcome"] == "older_child"
    assert record["baby_judgement"] is None
    assert record["role"] == "father"
    assert record["safety_answer"] == "no"
    progress = [value for kind, value in p.effects() if kind == "progress"]
    assert progress == ["role", "age_band"]  # the main path's steps only: staff count those


def test_an_older_childs_age_tapped_by_mistake_can_be_taken_back_from_the_summary() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:4],
            ("tap:over_3y", "q.safety", "safety"),
            ("tap:no", "summary", "summary"),
        ]
    )
    summary = p.last_prompt.text
    assert "Older than 3 years" in summary
    assert len(summary.splitlines()) == 4  # heading, who, age, safety: only what was asked
    p.play([("/back", "q.safety", "safety"), ("/back", "q.age_band", "age_band")])
    p.play([("tap:over_3y", "q.safety", "safety"), ("tap:no", "summary", "summary")])
    p.play([("tap:change", "prompt.change", "change")])
    assert [o.code for o in p.last_prompt.options] == ["role", "age_band", "safety", "cancel"]
    p.play(
        [
            ("tap:age_band", "q.age_band", "age_band"),
            ("8 months", "q.baby_reacts", "baby_reacts"),  # the questions not yet asked follow
            *intake_script()[5:12],
            ("tap:no", "q.free_text", "free_text"),  # the safety question again, answer marked
            ("tap:skip", "summary", "summary"),
            ("tap:confirm", "suggest.mip", "done"),
        ]
    )
    assert [kind for kind, _ in p.effects()].count("complete") == 1  # one intake, the right one
    record = intake_record(p.conversation)
    assert (record["outcome"], record["age_band"], record["suggestion"]) == (
        "suggestion",
        "6_12m",
        "mip",
    )


def test_changing_the_age_to_an_older_childs_keeps_the_baby_answers_out_of_the_record() -> None:
    p = player()
    p.play(
        [
            *until(intake_script(), "summary"),
            ("tap:change", None, "change"),
            ("tap:age_band", None, "age_band"),
            ("tap:over_3y", "q.safety", "safety"),
            ("tap:no", "summary", "summary"),
        ]
    )
    assert "Often" not in p.last_prompt.text
    p.play([("tap:confirm", "suggest.older_child", "older_child")])
    record = intake_record(p.conversation)
    assert record["baby_reacts"] is None
    assert record["wish_main"] is None
    assert record["free_text"] is None


@pytest.mark.parametrize("role", ["father", "partner", "other"])
def test_fathers_and_partners_hear_what_the_research_studied(role: str) -> None:
    p = player()
    p.play(intake_script(role=role)[:4])
    assert "research.fathers" in [r.key for r in p.steps[-1].replies]


def test_mothers_are_not_told_the_fathers_note() -> None:
    p = player()
    p.play(intake_script()[:4])
    assert "research.fathers" not in [r.key for r in p.steps[-1].replies]


def test_typed_answers_numbers_words_and_yes_no() -> None:
    p = player()
    p.play(
        [
            ("hello", "prompt.welcome", "welcome"),
            ("1", "prompt.consent", "consent"),
            ("YES", "q.role", "role"),
            ("I'm the mother", "q.age_band", "age_band"),
            ("6–12 months", "q.baby_reacts", "baby_reacts"),
            ("often", "q.baby_distress", "baby_distress"),
            ("Sometimes!", "q.baby_withdrawn", "baby_withdrawn"),
            ("rarely", "q.sleep_feeding", "sleep_feeding"),
            ("banana", "reask", "sleep_feeding"),
            ("4", "q.wish_main", "wish_main"),
            ("9", "reask", "wish_main"),
            ("concrete advice", "q.wish_alone", "wish_alone"),
            ("y", "q.wellbeing", "wellbeing"),
            ("mostly ok", "q.safety", "safety"),
            ("No", "q.free_text", "free_text"),
            ("Skip", "summary", "summary"),
        ]
    )
    answers = p.conversation.answers
    assert answers["sleep_feeding"] == "neither"
    assert answers["wish_main"] == "advice"
    assert answers["wish_alone"] == "yes"
    assert answers["free_text"] == "skip"


@pytest.mark.parametrize(
    ("typed", "band"),
    [
        ("8 månader", "6_12m"),
        ("8 months", "6_12m"),
        ("1,5 år", "1_2y"),
        ("1.5 years", "1_2y"),
        ("two years old", "2_3y"),
        ("14 mån", "1_2y"),
        ("hon är 5 veckor", "under_6m"),
        ("ett och ett halvt år", "1_2y"),
        ("a year and a half", "1_2y"),
        ("nästan 6 månader", "under_6m"),
        ("12 months", "1_2y"),
        ("3 år", "over_3y"),
        ("tvååring", "2_3y"),
        ("newborn", "under_6m"),
    ],
)
def test_a_typed_age_is_read_into_its_band(typed: str, band: str) -> None:
    for lang in LANGUAGES:
        p = player(lang)
        p.play([*intake_script()[:4], (typed, None, None)])
        assert p.conversation.answers.get("age_band") == band, (lang, typed)


@pytest.mark.parametrize(
    "typed", ["8", "8 months and she cries all night", "6 or 7 months", "100 years", "months"]
)
def test_what_is_not_just_an_age_is_not_read_as_one(typed: str) -> None:
    p = player()
    p.play([*intake_script()[:4], (typed, None, "age_band")])
    assert "age_band" not in p.conversation.answers


@pytest.mark.parametrize(
    "typed", ["1", "skip", "Skip.", "hoppa över", "Hoppa över", "nej tack", "no thanks", "nothing"]
)
def test_the_note_is_skipped_by_its_number_or_words(typed: str) -> None:
    for lang in LANGUAGES:
        p = player(lang)
        p.play([*until(intake_script(), "free_text"), (typed, "summary", "summary")])
        assert p.conversation.answers["free_text"] == "skip", (lang, typed)
        assert intake_record(p.conversation)["free_text"] is None


def test_a_note_that_only_mentions_skipping_is_kept() -> None:
    p = player()
    p.play([*until(intake_script(), "free_text"), ("She skips meals", "summary", "summary")])
    assert p.conversation.answers["free_text"] == "She skips meals"


def test_a_long_note_is_shown_shortened_in_the_summary() -> None:
    p = player()
    note = "We are so tired and the nights are long. " * 30
    p.play([*until(intake_script(), "free_text"), (note, "summary", "summary")])
    summary = p.last_prompt.text
    assert len(summary) <= 700
    assert summary.splitlines()[-1].endswith(" …")
    assert p.conversation.answers["free_text"] == note.strip()  # kept whole, shown short


@pytest.mark.parametrize(("old", "new"), [("en", "sv"), ("sv", "en")])
def test_restart_with_a_language_starts_over_in_it(old: str, new: str) -> None:
    p = player(old)
    p.play(intake_script()[:5])
    step = p.engine.handle(p.conversation, Command("restart", new))
    assert step.conversation.lang == new
    assert step.conversation.state == "welcome"
    assert step.replies[-1].text == render(new, "prompt.welcome", **_values(new))


def _values(lang: str) -> dict[str, str]:
    values: dict[str, str] = load_clinic_config().values(lang, "")  # type: ignore[arg-type]
    return values


def test_typed_swedish_answers_ignore_case_and_accents() -> None:
    p = player("sv")
    p.play(
        [
            ("/start", "prompt.welcome", "welcome"),
            ("vi borjar", "prompt.consent", "consent"),
            ("JA", "q.role", "role"),
            ("jag ar mamma", "q.age_band", "age_band"),
            ("under 6 manader", "q.baby_reacts", "baby_reacts"),
            ("ofta", "q.baby_distress", "baby_distress"),
        ]
    )
    assert p.conversation.answers["age_band"] == "under_6m"


def test_back_restart_and_language_mid_flow() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:6],
            ("/back", "q.baby_reacts", "baby_reacts"),
            ("/back", "q.age_band", "age_band"),
            ("tap:@back", "q.role", "role"),
            ("/language", "language.ask", "role"),
            ("tap:sv", "language.changed", "role"),
            ("/tillbaka", "prompt.consent", "consent"),
            ("/borja_om", "restarted", "welcome"),
            ("/back", "back.nothing", "welcome"),
        ]
    )
    assert p.conversation.lang == "sv"
    assert p.conversation.answers == {}


def test_the_previous_answer_is_marked_when_going_back() -> None:
    p = player()
    p.play([*intake_script()[:5], ("/back", "q.age_band", "age_band")])
    labels = [o.label for o in p.last_prompt.options]
    assert "✓ 6–12 months" in labels


def test_language_switch_from_the_welcome_and_by_argument() -> None:
    p = player()
    p.play([("/start", None, "welcome"), ("tap:other_language", "language.changed", "welcome")])
    assert p.conversation.lang == "sv"
    p.play([("/language en", "language.changed", "welcome")])
    assert p.conversation.lang == "en"


def test_change_an_answer_from_the_summary() -> None:
    p = player()
    script = intake_script("not_affected", "advice")
    p.play(
        [
            *script[:-1],
            ("tap:change", "prompt.change", "change"),
            ("tap:baby_reacts", "q.baby_reacts", "baby_reacts"),
            ("tap:often", "summary", "summary"),
            ("tap:change", None, "change"),
            ("tap:baby_distress", None, "baby_distress"),
            ("/back", "summary", "summary"),
            ("tap:change", None, "change"),
            ("tap:cancel", "summary", "summary"),
            ("tap:confirm", None, "done"),
        ]
    )
    assert p.conversation.answers["baby_reacts"] == "often"
    assert intake_record(p.conversation)["baby_judgement"] == "affected"


def test_summary_shows_the_free_text_back() -> None:
    p = player()
    p.play(intake_script(free_text="<b>Our</b> family moved")[:-1])
    summary = p.last_prompt
    assert "<b>Our</b> family moved" in summary.text  # plain text: the adapter escapes it


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(
    ("answer", "level"),
    [("yes_unwanted", "unwanted_thoughts"), ("yes_afraid", "danger"), ("yes_self", "danger")],
)
def test_safety_question_yes_answers_with_help_first(lang: str, answer: str, level: str) -> None:
    p = player(lang)
    script = intake_script(safety=answer)
    p.play(until(script, "safety"))
    rest = after(script, "safety")  # from the safety answer on
    p.play(rest[:1])
    replies = p.steps[-1].replies
    assert replies[0].key == f"crisis.{level}"
    assert replies[0].kind == "crisis"
    assert "112" in replies[0].text or level == "unwanted_thoughts"
    assert "1177" in replies[0].text
    if level == "danger":
        assert "90101" in replies[0].text  # the suicide-prevention line
        assert [r.key for r in replies] == ["crisis.danger", "safe_check"]  # no next question
    else:
        assert p.conversation.state == "free_text"  # and the parent may go on
    p.play(rest[1:])
    record = intake_record(p.conversation)
    assert (record["safety_answer"], record["safety_level"]) == (answer, level)


def test_typed_yes_to_the_safety_question_errs_on_the_side_of_responding() -> None:
    p = player()
    p.play(
        [
            *until(intake_script(), "safety"),
            ("yes", "crisis.danger", "safety"),  # which kind of yes is not said: not stored
            ("tap:go_on", "q.safety", "safety"),
        ]
    )
    assert "safety" not in p.conversation.answers


@pytest.mark.parametrize(
    ("lang", "text", "level"),
    [
        ("en", "everyone would be better off without me", "danger"),
        ("en", "I keep getting scary thoughts of dropping the baby", "unwanted_thoughts"),
        ("sv", "jag orkar inte mer", "danger"),
        ("sv", "jag har tvångstankar om att skada bebisen", "unwanted_thoughts"),
    ],
)
@pytest.mark.parametrize("at", [1, 2, 5, 9, 10, 12, 13, 14])
def test_crisis_in_free_text_anywhere_is_answered_first(
    lang: str, text: str, level: str, at: int
) -> None:
    p = player(lang)
    script = intake_script()
    p.play(script[:at])
    state, answers = p.conversation.state, dict(p.conversation.answers)
    step = p.send(text)
    assert step.replies[0].key == f"crisis.{level}"
    assert step.replies[-1].question is not None  # then the parent is shown where they are
    assert p.conversation.state == state
    assert p.conversation.answers == answers  # never an answer, nor a note for the clinic
    if level == "danger":
        assert step.replies[-1].key == "safe_check"
        p.play([("tap:go_on", None, state)])
    else:
        assert step.replies[-1].question == state
    if state == "free_text":
        assert "free_text.not_kept" in [r.key for r in step.replies]
    p.play(script[at:])
    assert intake_record(p.conversation)["safety_level"] == level


def test_crisis_after_the_end_is_still_answered() -> None:
    p = player()
    p.play(intake_script())
    step = p.send("I want to die")
    assert step.replies[0].key == "crisis.danger"


def test_crisis_with_a_command_is_answered_before_the_command() -> None:
    p = player()
    p.play(intake_script()[:5])
    step = p.send("/stop I can't go on")
    assert step.replies[0].key == "crisis.danger"
    assert p.conversation.state == "stopped"  # the parent chose to stop: no waiting point
    assert step.replies[-1].key == "prompt.stopped"


def test_stale_and_double_taps_never_record_twice() -> None:
    p = player()
    p.play(intake_script()[:6])
    conv = p.conversation
    old_revision = conv.revision - 1
    step = p.engine.handle(conv, Tap("baby_reacts", "rarely", old_revision))
    assert step.replies[0].key == "stale"
    assert step.conversation.answers["baby_reacts"] == "often"
    assert step.conversation.state == "baby_distress"
    wrong_question = p.engine.handle(conv, Tap("baby_reacts", "rarely", conv.revision))
    assert wrong_question.replies[0].key == "stale"
    bogus = p.engine.handle(conv, Tap("baby_distress", "no-such-code", conv.revision))
    assert bogus.replies[0].key == "stale"


def test_pause_keeps_the_place_and_start_resumes() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:7],
            ("/pause", "pause", "baby_withdrawn"),
            ("/start", "resume", "baby_withdrawn"),
        ]
    )


def test_stop_discards_and_start_again() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:7],
            ("/stop", "prompt.stopped", "stopped"),
            ("/stop", "stop.nothing", "stopped"),
            ("anything", "reask.final", "stopped"),
            ("tap:restart", "prompt.welcome", "welcome"),
        ]
    )
    assert ("discard", "") in p.effects()
    assert p.conversation.answers == {}


def test_delete_asks_first_then_erases() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:5],
            ("/delete", "delete.confirm", "baby_reacts"),
            ("no", "delete.kept", "baby_reacts"),
            ("/radera", "delete.confirm", "baby_reacts"),
            ("tap:yes", "delete.done", "welcome"),
        ]
    )
    assert ("erase", "") in p.effects()
    assert p.conversation.answers == {}


def test_delete_prompt_answered_with_something_else_moves_on() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:5],
            ("/delete", "delete.confirm", None),
            ("often", None, "baby_distress"),
        ]
    )


def test_unknown_command_and_help_show_the_way_on() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:4],
            ("/frobnicate", "unknown_command", "age_band"),
            ("/help", "help", "age_band"),
            ("/hjalp@intake_bot", "help", "age_band"),
            ("/privacy", "privacy", "age_band"),
        ]
    )
    assert p.steps[-1].replies[-1].key == "q.age_band"


def test_deep_link_clinic_code_only_if_configured() -> None:
    p = player()
    p.play([("/start unknown-clinic-code", "prompt.welcome", "welcome")])
    assert p.conversation.clinic == "bvc"
    p.play([("/start bvc", None, "welcome")])
    assert p.conversation.clinic == "bvc"


def test_progress_is_counted_once_per_step() -> None:
    p = player()
    p.play([*intake_script()[:6], ("/back", None, None), ("tap:often", None, None)])
    progress = [value for kind, value in p.effects() if kind == "progress"]
    assert progress == ["role", "age_band", "baby_reacts", "baby_distress"]


def test_a_conversation_from_another_flow_version_starts_afresh_kindly() -> None:
    p = player()
    p.play(intake_script()[:8])
    old = Conversation.from_json(
        p.conversation.to_json().replace(f'"version":{FLOW_VERSION}', '"version":0')
    )
    step = p.engine.handle(old, Text("I want to die"))
    assert [r.key for r in step.replies] == ["crisis.danger", "flow.updated", "safe_check"]
    assert step.conversation.answers == {}


def test_conversation_round_trips_through_json() -> None:
    p = player()
    p.play(intake_script()[:10])
    again = Conversation.from_json(p.conversation.to_json())
    assert again == p.conversation


def test_long_free_text_is_kept_shortened() -> None:
    p = player()
    p.play(until(intake_script(), "free_text"))
    step = p.send("word " * 2000)
    assert step.replies[0].key == "free_text.shortened"
    assert len(p.conversation.answers["free_text"]) <= 1500
