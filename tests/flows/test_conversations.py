"""Whole conversations through the pure engine, as scripts."""

from __future__ import annotations

import pytest

from flows.model import FLOW_VERSION, Conversation, Tap, Text
from flows.record import RECORD_FIELDS, intake_record
from tests.support import EXPECTED_SUGGESTION, intake_script, player


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(("baby", "parent"), sorted(EXPECTED_SUGGESTION))
def test_every_routing_cell_in_both_languages(lang: str, baby: str, parent: str) -> None:
    p = player(lang)
    p.play(intake_script(baby, parent))
    record = intake_record(p.conversation)
    assert record["suggestion"] == EXPECTED_SUGGESTION[(baby, parent)]
    assert (record["baby_judgement"], record["parent_judgement"]) == (baby, parent)
    assert record["lang"] == lang
    assert ("complete", "") in p.effects()
    keys = [r.key for r in p.steps[-1].replies]
    assert keys.index(f"suggest.{EXPECTED_SUGGESTION[(baby, parent)]}") < keys.index("suggest.why")
    assert "care.mip" in keys  # both kinds of care are described
    assert "care.chc" in keys
    assert "suggest.contact" in keys


def test_the_reasons_are_the_parents_own_answers() -> None:
    p = player()
    p.play(intake_script("affected", "understand"))
    why = next(r.text for r in p.steps[-1].replies if r.key == "suggest.why")
    assert "often reacts when you are upset" in why
    assert "sometimes seems sad, distressed" in why
    assert "understand how you and your baby affect each other" in why


def test_record_has_exactly_the_declared_fields_and_no_identifiers() -> None:
    p = player()
    p.play(intake_script(free_text="We moved recently"))
    record = intake_record(p.conversation)
    assert tuple(record) == RECORD_FIELDS
    assert record["free_text"] == "We moved recently"
    assert record["outcome"] == "suggestion"


def test_declining_consent_gives_information_and_stores_nothing() -> None:
    p = player()
    p.play(
        [
            ("/start", "prompt.welcome", "welcome"),
            ("tap:begin", "prompt.consent", "consent"),
            ("tap:no", "declined", "declined"),
        ]
    )
    keys = [r.key for r in p.steps[-1].replies]
    assert "care.mip" in keys
    assert "care.chc" in keys
    assert ("discard", "") in p.effects()
    assert not any(kind == "complete" for kind, _ in p.effects())


def test_privacy_from_consent_then_yes() -> None:
    p = player("sv")
    p.play(
        [
            ("/start", "prompt.welcome", "welcome"),
            ("Vi börjar", "prompt.consent", "consent"),
            ("tap:privacy", "privacy", "consent"),
            ("ja", "q.role", "role"),
        ]
    )


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
            ("tap:no", "suggest.older_child", "older_child"),
        ]
    )
    record = intake_record(p.conversation)
    assert record["suggestion"] == "older_child"
    assert record["outcome"] == "older_child"
    assert record["baby_judgement"] is None
    assert record["role"] == "father"
    assert record["safety_answer"] == "no"
    progress = [value for kind, value in p.effects() if kind == "progress"]
    assert progress == ["role", "age_band"]  # the main path's steps only: staff count those


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
            ("concrete advice", "q.wish_understand", "wish_understand"),
            ("nej", "q.wish_advice", "wish_advice"),
            ("y", "q.wish_alone", "wish_alone"),
            ("no", "q.wellbeing", "wellbeing"),
            ("mostly ok", "q.safety", "safety"),
            ("No", "q.free_text", "free_text"),
            ("Skip", "summary", "summary"),
        ]
    )
    answers = p.conversation.answers
    assert answers["sleep_feeding"] == "neither"
    assert answers["wish_main"] == "advice"
    assert answers["free_text"] == "skip"


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
    p.play(script[:15])
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
    p.play(script[15:])
    record = intake_record(p.conversation)
    assert (record["safety_answer"], record["safety_level"]) == (answer, level)


def test_typed_yes_to_the_safety_question_errs_on_the_side_of_responding() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:14],
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
@pytest.mark.parametrize("at", [1, 2, 5, 9, 12, 14, 15, 16])
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
    p.play(intake_script()[:15])
    step = p.send("word " * 2000)
    assert step.replies[0].key == "free_text.shortened"
    assert len(p.conversation.answers["free_text"]) <= 1500
