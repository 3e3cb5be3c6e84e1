"""The intake conversation engine: a saved conversation and one input in, the next one out.

One `transitions` machine is built once per engine and drives every conversation: each input
puts the saved state on a single reusable cursor (``set_state``), fires one trigger, and reads
the new state back. Callbacks never have side effects; everything the caller must do (store a
record, forget a session) comes back as `Effect` values, and every message as a `Reply`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from transitions import Machine

from flows.clinic import ClinicConfig, load_clinic_config
from flows.matching import is_sentence, match_option, normalise, says_yes
from flows.model import (
    FLOW_VERSION,
    LANGUAGES,
    Aside,
    Command,
    Conversation,
    Effect,
    Input,
    Language,
    Option,
    Reply,
    Step,
    Tap,
    Text,
)
from flows.parsing import clean_text, parse_command
from flows.questions import (
    CHANGE,
    CONSENT,
    DECLINED,
    FINAL_STATES,
    FREE_TEXT_LIMIT,
    OLDER_CHILD,
    OLDER_CHILD_BANDS,
    PROGRESS_STEPS,
    QUESTION_BY_KEY,
    QUESTION_KEYS,
    STATES,
    STOPPED,
    SUGGESTION,
    SUMMARY,
    WELCOME,
)
from flows.routing import route_for
from flows.safety import detect_crisis, higher
from flows.texts import render

BACK = "@back"  # the code of the back button on every question
#: The waiting point after a danger-level reply: its question name and its options.
SAFE_CHECK = "safe_check"
SAFE_CHECK_OPTIONS = ("go_on", "numbers", "pause")


def _transitions() -> list[dict[str, Any]]:
    """The machine's transitions, generated from the question order."""
    rows: list[dict[str, Any]] = [
        {"trigger": "advance", "source": WELCOME, "dest": CONSENT},
        {"trigger": "advance", "source": CONSENT, "dest": DECLINED, "conditions": "declines"},
        {"trigger": "advance", "source": CONSENT, "dest": QUESTION_KEYS[0]},
        {"trigger": "go_back", "source": CONSENT, "dest": WELCOME},
        {"trigger": "advance", "source": SUMMARY, "dest": SUGGESTION},
        {"trigger": "change", "source": SUMMARY, "dest": CHANGE},
        {"trigger": "go_back", "source": SUMMARY, "dest": QUESTION_KEYS[-1]},
        {"trigger": "go_back", "source": CHANGE, "dest": SUMMARY},
        {"trigger": "restart", "source": "*", "dest": WELCOME},
        {
            "trigger": "stop",
            "source": [s for s in STATES if s not in FINAL_STATES],
            "dest": STOPPED,
        },
    ]
    previous = CONSENT
    for index, key in enumerate(QUESTION_KEYS):
        following = QUESTION_KEYS[index + 1] if index + 1 < len(QUESTION_KEYS) else SUMMARY
        if key == "age_band":
            # Parents of an older child are asked the safety question too, then the path ends.
            rows += [
                {
                    "trigger": "advance",
                    "source": key,
                    "dest": "safety",
                    "conditions": "older_child",
                },
                {
                    "trigger": "advance",
                    "source": "safety",
                    "dest": OLDER_CHILD,
                    "conditions": "older_child",
                },
                {
                    "trigger": "go_back",
                    "source": "safety",
                    "dest": key,
                    "conditions": "older_child",
                },
            ]
        rows += [
            {"trigger": "advance", "source": key, "dest": SUMMARY, "conditions": "editing"},
            {"trigger": "advance", "source": key, "dest": following},
            {"trigger": "go_back", "source": key, "dest": SUMMARY, "conditions": "editing"},
            {"trigger": "go_back", "source": key, "dest": previous},
            {"trigger": f"edit_{key}", "source": CHANGE, "dest": key},
        ]
        previous = key
    return rows


class _Cursor:
    """The one model on the machine: it carries the conversation being stepped, for conditions."""

    state: str

    def __init__(self) -> None:
        self.conversation = Conversation()
        self.choice = ""

    def declines(self) -> bool:
        return self.choice == "no"

    def older_child(self) -> bool:
        return self.conversation.answers.get("age_band") in OLDER_CHILD_BANDS

    def editing(self) -> bool:
        return self.conversation.return_to == SUMMARY


def build_machine(model: object | None = None, **extra: Any) -> Machine:
    """The conversation's state machine (also used, with a graph class, to draw the diagram)."""
    machine_class: type[Machine] = extra.pop("machine_class", Machine)
    return machine_class(
        model=model,
        states=list(STATES),
        transitions=_transitions(),
        initial=WELCOME,
        auto_transitions=False,
        **extra,
    )


@dataclass(slots=True)
class _Out:
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


class Engine:
    """Steps conversations. Not thread-safe: give each thread its own engine."""

    def __init__(self, clinics: ClinicConfig | None = None) -> None:
        self.clinics = clinics or load_clinic_config()
        self._cursor = _Cursor()
        self._machine = build_machine(self._cursor)

    # ---- public API

    def new_conversation(self, lang: str = "en", clinic: str = "") -> Conversation:
        """A fresh conversation in a supported language, tagged with a known clinic code."""
        language: Language = "sv" if lang == "sv" else "en"
        return Conversation(lang=language, clinic=self.clinics.clinic_code(clinic))

    def handle(self, conversation: Conversation, event: Input) -> Step:
        """The conversation after one input, the replies to show, the effects to carry out."""
        conv = replace(
            conversation, answers=dict(conversation.answers), history=list(conversation.history)
        )
        out = _Out()
        if conv.version != FLOW_VERSION:
            # Answers saved by another version of the questions cannot be trusted to mean the
            # same; start afresh, but a crisis in what was just typed is still answered first.
            conv = self.new_conversation(conv.lang, conv.clinic)
            if isinstance(event, Text):
                self._check_crisis(conv, clean_text(event.text), out)
            out.replies.append(self._info(conv, "flow.updated"))
            self._prompt(conv, out)
        elif isinstance(event, Text):
            self._on_text(conv, clean_text(event.text), out)
        elif isinstance(event, Aside):
            level = self._check_crisis(conv, clean_text(event.text), out)
            out.replies.append(self._info(conv, event.note))
            self._prompt(conv, out)
            if not level:
                # Nothing that matters was read: the saved conversation is untouched, not even
                # its revision, so the keyboard shown again with the note keeps working.
                return Step(conversation, tuple(out.replies))
        elif isinstance(event, Tap):
            self._on_tap(conv, event, out)
        else:
            self._on_command(conv, event, out)
        conv.revision += 1
        return Step(conv, tuple(out.replies), tuple(out.effects))

    def prompt(self, conversation: Conversation) -> tuple[Reply, ...]:
        """What the parent is being asked right now (to show it again)."""
        out = _Out()
        self._prompt(replace(conversation), out)  # showing again counts no progress
        return tuple(out.replies)

    # ---- inputs

    def _check_crisis(self, conv: Conversation, text: str, out: _Out) -> str | None:
        level = detect_crisis(text)
        if level:
            self._answer_crisis(conv, level, out)
        return level

    def _answer_crisis(self, conv: Conversation, level: str, out: _Out) -> None:
        """The crisis reply, first; after a danger-level one the conversation waits."""
        conv.safety = higher(conv.safety, level)
        out.replies.insert(0, self._crisis(conv, level))
        if level == "danger" and not conv.safe_check:
            conv.safe_check = "stay"

    def _on_text(self, conv: Conversation, text: str, out: _Out) -> None:
        level = self._check_crisis(conv, text, out)
        command = parse_command(text)
        if command:
            self._on_command(conv, command, out)
            return
        question = QUESTION_BY_KEY.get(conv.state)
        if level:
            # Words of crisis are never taken as an answer, nor as a note for the clinic: the
            # crisis reply has spoken, so show the parent where they are and let them go on.
            conv.pending = ""
            if question and question.is_free_text:
                out.replies.append(self._info(conv, "free_text.not_kept"))
            self._prompt(conv, out)
            return
        if conv.pending:
            code = match_option(text, self._pending_options(conv))
            if code:
                self._on_pending(conv, code, out)
                return
            conv.pending = ""
        if conv.safe_check:
            code = match_option(text, self._safe_check_options(conv), "go_on", "numbers")
            if code:
                self._on_safe_check(conv, code, out)
            else:
                out.replies.append(self._info(conv, "safe_check.reask"))
                self._prompt(conv, out)
            return
        if conv.revision == 0 and conv.state == WELCOME:
            self._prompt(conv, out)  # a first message of any kind is greeted, not corrected
            return
        options = self._options(conv)
        if question and question.is_free_text and text:
            # Anything typed here is the answer, unless it is exactly a button's label.
            labels = {normalise(option.label): option.code for option in options}
            code = labels.get(normalise(text))
            if code:
                self._choose(conv, code, out)
            else:
                self._answer(conv, self._keep_free_text(conv, text, out), out)
            return
        if question and question.yes_level and says_yes(text):
            # A plain yes here says none of the answers, so it is not stored; it still gets
            # the most protective reply, and the question stays for the parent to say which.
            self._answer_crisis(conv, question.yes_level, out)
            self._prompt(conv, out)
            return
        code = match_option(text, options, *self._yes_no(conv))
        if code:
            self._choose(conv, code, out)
            return
        if conv.state in FINAL_STATES:
            out.replies.append(self._info(conv, "reask.final"))
        else:
            # A sentence gets a warm word, not "I didn't understand": it was never an answer.
            out.replies.append(self._info(conv, "reask.heard" if is_sentence(text) else "reask"))
        self._prompt(conv, out)

    def _on_tap(self, conv: Conversation, tap: Tap, out: _Out) -> None:
        if tap.question == "pending.language" and tap.code in LANGUAGES:
            conv.pending = "language"  # a language button works even on an old keyboard
            self._on_pending(conv, tap.code, out)
            return
        current = self._asking(conv)
        fresh = tap.revision is None or tap.revision == conv.revision
        if tap.question != current or not fresh:
            out.replies.append(self._info(conv, "stale"))
            self._prompt(conv, out)
            return
        if conv.pending:
            self._on_pending(conv, tap.code, out)
        elif conv.safe_check:
            self._on_safe_check(conv, tap.code, out)
        elif tap.code in {option.code for option in self._options(conv)}:
            self._choose(conv, tap.code, out)
        else:
            out.replies.append(self._info(conv, "stale"))
            self._prompt(conv, out)

    def _on_command(self, conv: Conversation, command: Command, out: _Out) -> None:
        name = command.name
        if name != "language" or not command.arg:
            conv.pending = ""
        if name == "start":
            self._on_start(conv, command.arg, out)
        elif name == "back":
            self._go_back(conv, out)
        elif name == "restart":
            self._restart(conv, out)
        elif name == "stop":
            self._stop(conv, out)
        elif name == "language":
            self._ask_language(conv, command.arg, out)
        elif name == "delete":
            conv.pending = "delete"
            self._prompt(conv, out)
        elif name in ("help", "privacy", "pause"):
            out.replies.append(self._info(conv, name))
            self._prompt(conv, out)
        else:
            out.replies.append(self._info(conv, "unknown_command"))
            self._prompt(conv, out)

    # ---- moves

    def _on_start(self, conv: Conversation, code: str, out: _Out) -> None:
        in_progress = conv.state not in FINAL_STATES and conv.revision > 0 and conv.state != WELCOME
        if code:
            conv.clinic = self.clinics.clinic_code(code)
        if in_progress:
            out.replies.append(self._info(conv, "resume"))
            self._prompt(conv, out)
            return
        self._reset(conv, keep_progress=conv.state not in FINAL_STATES)
        self._prompt(conv, out)

    def _restart(self, conv: Conversation, out: _Out) -> None:
        self._reset(conv, keep_progress=conv.state not in FINAL_STATES)
        out.replies.append(self._info(conv, "restarted"))
        self._prompt(conv, out)

    def _reset(self, conv: Conversation, *, keep_progress: bool) -> None:
        fresh = self.new_conversation(conv.lang, conv.clinic)
        conv.state, conv.answers, conv.history = fresh.state, fresh.answers, fresh.history
        conv.safety, conv.return_to, conv.pending = fresh.safety, fresh.return_to, fresh.pending
        conv.safe_check = fresh.safe_check
        if not keep_progress:
            conv.furthest = 0

    def _stop(self, conv: Conversation, out: _Out) -> None:
        conv.safe_check = ""  # the parent has chosen; a discarded conversation keeps nothing
        if conv.state in FINAL_STATES:
            out.replies.append(self._info(conv, "stop.nothing"))
            self._prompt(conv, out)
            return
        self._fire(conv, "stop")
        out.effects.append(Effect("discard"))
        self._prompt(conv, out)

    def _go_back(self, conv: Conversation, out: _Out) -> None:
        conv.safe_check = ""  # going back is a choice to go on
        if conv.state == WELCOME or conv.state in FINAL_STATES:
            out.replies.append(self._info(conv, "back.nothing"))
        else:
            self._fire(conv, "go_back")
        self._prompt(conv, out)

    def _ask_language(self, conv: Conversation, arg: str, out: _Out) -> None:
        wanted = normalise(arg)[:2]
        if wanted in LANGUAGES:
            self._on_pending(conv, wanted, out)
            return
        conv.pending = "language"
        self._prompt(conv, out)

    def _on_pending(self, conv: Conversation, code: str, out: _Out) -> None:
        pending, conv.pending = conv.pending, ""
        if code in LANGUAGES:
            conv.lang = "sv" if code == "sv" else "en"
            out.replies.append(self._info(conv, "language.changed"))
        elif pending == "delete" and code == "yes":
            out.effects.append(Effect("erase"))
            self._reset(conv, keep_progress=False)
            out.replies.append(self._info(conv, "delete.done"))
            return  # nothing is kept, so nothing is asked: the next message starts afresh
        elif pending == "delete":
            out.replies.append(self._info(conv, "delete.kept"))
        self._prompt(conv, out)

    def _on_safe_check(self, conv: Conversation, code: str, out: _Out) -> None:
        """The parent's choice after a danger-level reply: go on, the numbers, or a pause."""
        if code == "go_on":
            then, conv.safe_check = conv.safe_check, ""
            out.replies.append(self._info(conv, "safe_check.thanks"))
            if then == "advance":
                self._advance(conv, out)
                return
        elif code == "numbers":
            out.replies.append(self._crisis(conv, "danger"))
        elif code == "pause":
            out.replies.append(self._info(conv, "pause"))
        else:
            out.replies.append(self._info(conv, "stale"))
        self._prompt(conv, out)

    def _choose(self, conv: Conversation, code: str, out: _Out) -> None:
        """A recognised option (tapped or typed) for the current state."""
        state = conv.state
        if code == BACK:
            self._go_back(conv, out)
        elif state in FINAL_STATES:  # the only option there is "start again"
            self._restart(conv, out)
        elif state == WELCOME:
            if code == "other_language":
                self._on_pending(conv, "sv" if conv.lang == "en" else "en", out)
            else:
                self._advance(conv, out)
        elif state == CONSENT:
            if code == "privacy":
                out.replies.append(self._info(conv, "privacy"))
                self._prompt(conv, out)
            else:
                self._cursor.choice = code
                self._advance(conv, out)
        elif state == SUMMARY:
            if code == "change":
                self._fire(conv, "change")
                self._prompt(conv, out)
            else:
                self._advance(conv, out)
        elif state == CHANGE:
            if code in QUESTION_KEYS:
                conv.return_to = SUMMARY
                self._fire(conv, f"edit_{code}")
            else:
                self._fire(conv, "go_back")
            self._prompt(conv, out)
        else:
            self._answer(conv, code, out)

    def _answer(self, conv: Conversation, code: str, out: _Out) -> None:
        key = conv.state
        conv.answers[key] = code
        if key not in conv.history:
            conv.history.append(key)
        if key == "role" and code != "mother":
            out.replies.append(self._info(conv, "research.fathers"))
        question = QUESTION_BY_KEY[key]
        level = question.level_of(code)
        if level:
            self._answer_crisis(conv, level, out)
        if level == "danger":
            # The answer is kept, but the next step waits until the parent says they are safe.
            conv.safe_check = "advance"
            self._prompt(conv, out)
            return
        self._advance(conv, out)

    def _advance(self, conv: Conversation, out: _Out) -> None:
        self._fire(conv, "advance")
        if conv.state == DECLINED:
            out.effects.append(Effect("discard"))
            out.replies += self._after_crisis(conv)
            out.replies.append(self._info(conv, "declined"))
            out.replies += self._care_descriptions(conv, "both")
        elif conv.state in (SUGGESTION, OLDER_CHILD):
            out.effects.append(Effect("complete"))
            out.replies += self._suggestion(conv)
        self._prompt(conv, out)

    def _fire(self, conv: Conversation, trigger: str) -> None:
        cursor = self._cursor
        cursor.conversation = conv
        self._machine.set_state(conv.state, model=cursor)
        cursor.trigger(trigger)  # type: ignore[attr-defined]
        cursor.choice = ""
        conv.state = cursor.state
        if conv.state == SUMMARY:
            conv.return_to = ""

    def _keep_free_text(self, conv: Conversation, text: str, out: _Out) -> str:
        if len(text) > FREE_TEXT_LIMIT:
            out.replies.append(self._info(conv, "free_text.shortened", limit=FREE_TEXT_LIMIT))
            return text[:FREE_TEXT_LIMIT]
        return text

    # ---- replies

    def _values(self, conv: Conversation) -> dict[str, str]:
        return self.clinics.values(conv.lang, conv.clinic)

    def _info(self, conv: Conversation, key: str, **values: object) -> Reply:
        return Reply(key, render(conv.lang, key, **self._values(conv), **values))

    def _crisis(self, conv: Conversation, level: str) -> Reply:
        key = f"crisis.{level}"
        return Reply(key, render(conv.lang, key, **self._values(conv)), kind="crisis")

    def _yes_no(self, conv: Conversation) -> tuple[str, str]:
        question = QUESTION_BY_KEY.get(conv.state)
        return (question.yes_code, question.no_code) if question else ("yes", "no")

    def _asking(self, conv: Conversation) -> str:
        """The name of what is on screen: a pending choice, the safe-check, or the state."""
        if conv.pending:
            return "pending." + conv.pending
        return SAFE_CHECK if conv.safe_check else conv.state

    def _safe_check_options(self, conv: Conversation) -> tuple[Option, ...]:
        return tuple(
            Option(code, render(conv.lang, f"o.safe_check.{code}")) for code in SAFE_CHECK_OPTIONS
        )

    def _pending_options(self, conv: Conversation) -> tuple[Option, ...]:
        if conv.pending == "language":
            return tuple(Option(lang, render(conv.lang, f"language.{lang}")) for lang in LANGUAGES)
        return tuple(Option(code, render(conv.lang, f"o.delete.{code}")) for code in ("yes", "no"))

    def _options(self, conv: Conversation) -> tuple[Option, ...]:
        """The buttons of the current state, in order; the back button last where there is one."""
        lang, state = conv.lang, conv.state

        def option(code: str, key: str) -> Option:
            return Option(code, render(lang, key))

        back = (option(BACK, "nav.back"),)
        if state == WELCOME:
            return option("begin", "o.welcome.begin"), option(
                "other_language", "o.welcome.other_language"
            )
        if state == CONSENT:
            return (
                *(option(code, f"o.consent.{code}") for code in ("yes", "no", "privacy")),
                *back,
            )
        if state == SUMMARY:
            return (
                option("confirm", "o.summary.confirm"),
                option("change", "o.summary.change"),
                *back,
            )
        if state == CHANGE:
            answered = [key for key in QUESTION_KEYS if key in conv.answers]
            return (
                *(option(key, f"s.{key}") for key in answered),
                option("cancel", "o.change.cancel"),
            )
        if state in FINAL_STATES:
            return (option("restart", "o.final.restart"),)
        question = QUESTION_BY_KEY[state]
        chosen = conv.answers.get(state)
        marked = [
            Option(code, ("✓ " if code == chosen else "") + render(lang, f"o.{state}.{code}"))
            for code in question.codes
        ]
        if question.is_free_text:
            marked.append(option("skip", "o.free_text.skip"))
        return (*marked, *back)

    def _prompt(self, conv: Conversation, out: _Out) -> None:
        """Ask what the current state asks (or the pending confirmation), and count progress."""
        if conv.pending:
            key = "language.ask" if conv.pending == "language" else "delete.confirm"
            question = "pending." + conv.pending
            text = render(conv.lang, key, **self._values(conv))
            out.replies.append(
                Reply(key, text, self._pending_options(conv), question, kind="question")
            )
            return
        if conv.safe_check:
            text = render(conv.lang, SAFE_CHECK, **self._values(conv))
            options = self._safe_check_options(conv)
            out.replies.append(Reply(SAFE_CHECK, text, options, SAFE_CHECK, kind="question"))
            return
        state = conv.state
        if state in PROGRESS_STEPS and not self._off_the_main_path(conv, state):
            index = PROGRESS_STEPS.index(state) + 1
            if index > conv.furthest:
                conv.furthest = index
                out.effects.append(Effect("progress", state))
        if state == SUMMARY:
            key, text = "summary", self._summary_text(conv)
        elif state in QUESTION_BY_KEY:
            key = f"q.{state}"
            text = render(conv.lang, key, **self._values(conv))
        else:
            key = f"prompt.{state}"
            text = render(conv.lang, key, **self._values(conv))
        free = state in QUESTION_BY_KEY and QUESTION_BY_KEY[state].is_free_text
        out.replies.append(
            Reply(key, text, self._options(conv), state, accepts_text=free, kind="question")
        )

    @staticmethod
    def _off_the_main_path(conv: Conversation, state: str) -> bool:
        """A step past the age question on the older-child path: off the counted main path."""
        older = conv.answers.get("age_band") in OLDER_CHILD_BANDS
        return older and PROGRESS_STEPS.index(state) > PROGRESS_STEPS.index("age_band")

    def _summary_text(self, conv: Conversation) -> str:
        lang = conv.lang
        lines = [render(lang, "summary")]
        for key in QUESTION_KEYS:
            answer = conv.answers.get(key)
            if answer is None:
                continue
            if QUESTION_BY_KEY[key].is_free_text:
                shown = render(lang, "summary.skipped") if answer == "skip" else answer
            else:
                shown = render(lang, f"o.{key}.{answer}")
            lines.append(f"• {render(lang, f's.{key}')}: {shown}")
        return "\n".join(lines)

    def _suggestion(self, conv: Conversation) -> list[Reply]:
        routing = route_for(conv.answers)
        code = routing.suggestion
        why = "\n".join("• " + render(conv.lang, key) for key in routing.reasons)
        replies = [
            *self._after_crisis(conv),
            self._info(conv, f"suggest.{code}"),
            self._info(conv, "suggest.why", reasons=why),
        ]
        if code != "older_child":
            replies += self._care_descriptions(conv, code)
            replies.append(self._info(conv, "suggest.provisional"))
        replies.append(self._info(conv, "suggest.contact"))
        return replies

    def _after_crisis(self, conv: Conversation) -> list[Reply]:
        """After any crisis signal, the suggestion first says so and repeats the help lines."""
        if conv.safety == "none":
            return []
        return [self._info(conv, f"suggest.after.{conv.safety}")]

    def _care_descriptions(self, conv: Conversation, code: str) -> list[Reply]:
        """Both kinds of care, the suggested one first; neither ranked better in general."""
        order = (
            ("care.chc", "care.mip") if code in ("chc", "chc_first") else ("care.mip", "care.chc")
        )
        return [self._info(conv, key) for key in order]
