"""The conversation around a crisis (issue 8): answered first, never an answer, then a pause.

After a danger-level reply the bot asks whether the parent is safe and wants to go on, and
asks nothing else until they choose; a suggestion after any crisis signal says so first.
"""

from __future__ import annotations

import pytest

from flows.clinic import load_clinic_config
from flows.model import Aside, Conversation, Tap, Text
from flows.record import intake_record
from flows.texts import render
from tests.support import intake_script, player, until
from tests.support.scripts import Player

DANGER = {"en": "I want to die", "sv": "jag vill inte leva längre"}
UNWANTED = {
    "en": "I keep getting scary thoughts of dropping the baby",
    "sv": "jag har tvångstankar",
}


def at_baby_distress(lang: str) -> Player:
    p = player(lang)
    p.play(intake_script()[:6])
    assert p.conversation.state == "baby_distress"
    return p


def keys(p: Player) -> list[str]:
    return [reply.key for reply in p.steps[-1].replies]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_after_a_danger_reply_the_bot_asks_if_the_parent_is_safe_and_waits(lang: str) -> None:
    p = at_baby_distress(lang)
    p.play([(DANGER[lang], "crisis.danger", "baby_distress")])
    assert keys(p) == ["crisis.danger", "safe_check"]
    check = p.last_prompt
    assert [o.code for o in check.options] == ["go_on", "numbers", "pause"]
    assert check.text.startswith(render(lang, "safe_check")[:20])
    p.play([("tap:go_on", "safe_check.thanks", "baby_distress")])
    assert keys(p) == ["safe_check.thanks", "q.baby_distress"]
    assert p.conversation.answers.get("baby_distress") is None
    p.play(intake_script()[6:])
    assert intake_record(p.conversation)["safety_level"] == "danger"


@pytest.mark.parametrize(("lang", "yes"), [("en", "yes"), ("sv", "ja"), ("en", "go on")])
def test_a_typed_yes_chooses_going_on(lang: str, yes: str) -> None:
    p = at_baby_distress(lang)
    p.play([(DANGER[lang], "safe_check", None), (yes, "q.baby_distress", "baby_distress")])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_numbers_again_a_no_a_pause_and_a_sentence_all_keep_waiting(lang: str) -> None:
    p = at_baby_distress(lang)
    p.play([(DANGER[lang], "safe_check", None)])
    p.play([("tap:numbers", "crisis.danger", "baby_distress")])
    assert keys(p) == ["crisis.danger", "safe_check"]
    p.play([("nej" if lang == "sv" else "no", "crisis.danger", None)])  # not safe: the numbers
    assert keys(p) == ["crisis.danger", "safe_check"]
    p.play([("tap:pause", "pause", None)])
    assert keys(p) == ["pause", "safe_check"]
    p.play([("often", "safe_check.reask", None)])  # not taken as the question's answer
    assert keys(p) == ["safe_check.reask", "safe_check"]
    assert "baby_distress" not in p.conversation.answers
    p.play([("I am not sure I can do this any more", None, None)])
    assert keys(p)[-1] == "safe_check"
    p.play([(DANGER[lang], "crisis.danger", None)])  # a new crisis text is answered again
    assert keys(p) == ["crisis.danger", "safe_check"]


def test_commands_still_work_while_waiting() -> None:
    p = at_baby_distress("en")
    p.play(
        [
            (DANGER["en"], "safe_check", None),
            ("/help", "help", None),
            ("/pause", "pause", None),
            ("/start", "resume", None),
            ("/language", "language.ask", None),
            ("tap:sv", "language.changed", None),
            ("/delete", "delete.confirm", None),
            ("tap:no", "delete.kept", None),
        ]
    )
    assert keys(p)[-1] == "safe_check"
    assert p.last_prompt.text.startswith("Är du i säkerhet")
    p.play([("/back", "q.baby_reacts", "baby_reacts")])  # going back is a choice to go on
    assert not p.conversation.safe_check


def test_stop_and_delete_end_the_waiting() -> None:
    p = at_baby_distress("en")
    p.play([(DANGER["en"], "safe_check", None), ("/stop", "prompt.stopped", "stopped")])
    assert not p.conversation.safe_check
    q = at_baby_distress("en")
    q.play([(DANGER["en"], "safe_check", None), ("/delete", None, None)])
    q.play([("tap:yes", "delete.done", "welcome")])
    assert not q.conversation.safe_check


def test_the_waiting_point_survives_a_restart() -> None:
    p = at_baby_distress("en")
    p.play([(DANGER["en"], "safe_check", None)])
    saved = Conversation.from_json(p.conversation.to_json())
    assert saved.safe_check == "stay"
    step = p.engine.handle(saved, Text("/start"))
    assert [r.key for r in step.replies] == ["resume", "safe_check"]
    old_keyboard = Tap("baby_distress", "often", saved.revision - 1)
    stale = p.engine.handle(step.conversation, old_keyboard)
    assert [r.key for r in stale.replies] == ["stale", "safe_check"]
    assert "baby_distress" not in stale.conversation.answers


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("answer", ["yes_self", "yes_afraid"])
def test_a_danger_answer_is_kept_and_the_next_question_waits(lang: str, answer: str) -> None:
    p = player(lang)
    p.play([*until(intake_script(), "safety"), (f"tap:{answer}", "safe_check", "safety")])
    assert keys(p) == ["crisis.danger", "safe_check"]
    assert p.conversation.answers["safety"] == answer
    assert p.conversation.state == "safety"
    p.play([("tap:go_on", "q.free_text", "free_text")])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_not_wanting_to_live_is_its_own_answer_with_the_suicide_line(lang: str) -> None:
    p = player(lang)
    p.play(until(intake_script(), "safety"))
    labels = {o.code: o.label for o in p.last_prompt.options}
    assert set(labels) >= {"no", "yes_unwanted", "yes_afraid", "yes_self"}
    assert len(set(labels.values())) == len(labels)
    step = p.send("tap:yes_self")
    values = load_clinic_config().values(lang, p.conversation.clinic)
    assert step.replies[0].text == render(lang, "crisis.danger", **values)
    assert "90101" in step.replies[0].text
    calm = player(lang)
    calm.play(until(intake_script(), "safety"))
    step = calm.send("tap:yes_unwanted")
    assert step.replies[0].key == "crisis.unwanted_thoughts"
    assert "90101" not in step.replies[0].text  # frightening thoughts are not an emergency
    assert calm.conversation.state == "free_text"


def test_the_older_child_path_asks_the_safety_question_and_waits_after_danger() -> None:
    p = player()
    p.play(
        [
            *intake_script()[:4],
            ("tap:over_3y", "q.safety", "safety"),
            ("tap:yes_self", "crisis.danger", "safety"),
        ]
    )
    assert keys(p) == ["crisis.danger", "safe_check"]
    assert not any(kind == "complete" for kind, _ in p.effects())  # nothing more yet
    p.play([("tap:go_on", "summary", "summary")])  # where any answer can still be changed
    assert not any(kind == "complete" for kind, _ in p.effects())
    p.play([("tap:confirm", "suggest.older_child", "older_child")])
    assert keys(p)[:2] == ["suggest.after.danger", "suggest.older_child"]
    assert ("complete", "") in p.effects()
    record = intake_record(p.conversation)
    assert (record["outcome"], record["safety_answer"], record["safety_level"]) == (
        "older_child",
        "yes_self",
        "danger",
    )


@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize(("texts", "level"), [(UNWANTED, "unwanted_thoughts"), (DANGER, "danger")])
def test_a_suggestion_after_a_crisis_acknowledges_it_first_with_the_help_lines(
    lang: str, texts: dict[str, str], level: str
) -> None:
    p = player(lang)
    script = intake_script()
    p.play(script[:9])
    p.send(texts[lang])
    if level == "danger":
        p.send("tap:go_on")
    p.play(script[9:])
    replies = p.steps[-1].replies
    assert replies[0].key == f"suggest.after.{level}"
    assert [r.key for r in replies].index("suggest.mip") == 1
    for number in ("1177", "112") + (("90101",) if level == "danger" else ()):
        assert number in replies[0].text


def test_no_acknowledgement_without_a_crisis() -> None:
    p = player()
    p.play(intake_script())
    assert not any(r.key.startswith("suggest.after") for r in p.steps[-1].replies)


def test_declining_after_a_crisis_acknowledges_it_too() -> None:
    p = player()
    p.play([("/start", None, "welcome"), ("tap:begin", None, "consent")])
    p.play([(UNWANTED["en"], "crisis.unwanted_thoughts", "consent"), ("tap:no", None, "declined")])
    assert keys(p)[:2] == ["suggest.after.unwanted_thoughts", "declined"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_crisis_written_as_the_note_is_answered_and_never_kept(lang: str) -> None:
    p = player(lang)
    p.play(until(intake_script(), "free_text"))
    p.play([(UNWANTED[lang], "crisis.unwanted_thoughts", "free_text")])
    assert keys(p) == ["crisis.unwanted_thoughts", "free_text.not_kept", "q.free_text"]
    assert "free_text" not in p.conversation.answers
    p.play([(DANGER[lang], "crisis.danger", "free_text")])
    assert keys(p) == ["crisis.danger", "free_text.not_kept", "safe_check"]
    p.play([("tap:go_on", "q.free_text", "free_text"), ("We moved", "summary", "summary")])
    assert p.conversation.answers["free_text"] == "We moved"


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_an_aside_is_read_for_a_crisis_and_never_answers(lang: str) -> None:
    p = at_baby_distress(lang)
    before = p.conversation
    quiet = p.engine.handle(before, Aside("bot.kind.photo", "our evening walk"))
    assert quiet.conversation is before  # untouched: nothing to save, not even a revision
    assert [r.key for r in quiet.replies] == ["bot.kind.photo", "q.baby_distress"]
    assert not quiet.effects
    step = p.engine.handle(before, Aside("bot.kind.forwarded", DANGER[lang]))
    assert [r.key for r in step.replies] == ["crisis.danger", "bot.kind.forwarded", "safe_check"]
    assert step.conversation.safety == "danger"
    assert step.conversation.answers == before.answers
    often = p.engine.handle(before, Aside("bot.kind.edited", "often"))
    assert often.conversation.answers == before.answers  # an edit is never an answer
