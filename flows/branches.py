"""The transitions taken instead of the usual ones while a condition of the machine holds: back
to the summary while an answer is changed, and the older-child path.

A screen (flows/screens.py) lists its branches; the machine (flows/machine.py) tries them, in
order, before the screen's own next and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flows.questions import OLDER_CHILD, OLDER_CHILD_QUESTIONS, PROGRESS_STEPS, SUMMARY


@dataclass(frozen=True, slots=True)
class Branch:
    """A transition taken instead of the usual one while a condition of the machine holds."""

    trigger: str
    dest: str
    condition: str


#: While an answer is changed from the summary, answering or going back returns there, once
#: every question on the parent's path has an answer (a new age can open questions not yet asked).
EDITING = (Branch("advance", SUMMARY, "editing"), Branch("go_back", SUMMARY, "editing"))


def _older_child_path() -> dict[str, tuple[Branch, ...]]:
    """The older-child path: from the age on, its own questions, the summary, then its end.

    Back leads the same way back, so an age tapped by mistake can be taken back from any step
    of the path, the summary included.
    """
    steps = (*OLDER_CHILD_QUESTIONS[OLDER_CHILD_QUESTIONS.index("age_band") :], SUMMARY)
    branches: dict[str, list[Branch]] = {step: [] for step in steps}
    for here, there in zip(steps, (*steps[1:], OLDER_CHILD), strict=True):
        branches[here].append(Branch("advance", there, "older_child"))
        if there in branches:
            branches[there].append(Branch("go_back", here, "older_child"))
    return {step: tuple(found) for step, found in branches.items()}


OLDER_CHILD_PATH: Mapping[str, tuple[Branch, ...]] = _older_child_path()
#: Steps of the older-child path that are off the main path: not counted as progress, so the
#: staff funnel counts the main path only.
OFF_MAIN_PATH = frozenset(
    branch.dest
    for branches in OLDER_CHILD_PATH.values()
    for branch in branches
    if branch.trigger == "advance" and branch.dest in PROGRESS_STEPS
)
