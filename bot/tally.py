"""What the bot handled, counted by kind, for one INFO line an hour: never who, never what.

A line per update is DEBUG: at INFO the log tells the traffic only in these counts. An hour
of counts says less about any one parent than a line per update, each stamped with its time.
"""

from __future__ import annotations

from collections import Counter

from bot.service import Outcome


class Tally:
    """Updates and replies since the last report, by kind.

    Updates: ``tap``, ``text``, ``aside`` (a sticker, photo, edit...), ``dropped`` (a flood).
    Replies: the crisis replies by key (``crisis.danger``, ``crisis.unwanted_thoughts``),
    ``completed`` intakes, ``resent`` steps, ``wait`` notes, and ``blocked`` (the parent
    blocked the bot).
    """

    def __init__(self) -> None:
        self.updates: Counter[str] = Counter()
        self.replies: Counter[str] = Counter()

    def update(self, kind: str, *replies: str) -> None:
        self.updates[kind] += 1
        self.replies.update(replies)

    def reply(self, kind: str) -> None:
        self.replies[kind] += 1

    def stepped(self, kind: str, outcome: Outcome) -> None:
        """An input stepped: its kind, its crisis replies, and an intake it completed."""
        crises = [reply.key for reply in outcome.replies if reply.kind == "crisis"]
        self.update(kind, *crises, *(["completed"] if outcome.completed else []))

    def report(self) -> tuple[str, dict[str, int]] | None:
        """The counts as a line and as numbers (starting afresh); None when nothing happened."""
        if not self.updates and not self.replies:
            return None
        line = f"updates {listed(self.updates)}; replies {listed(self.replies)}"
        counts = {f"updates.{kind}": n for kind, n in self.updates.items()}
        counts.update({f"replies.{kind}": n for kind, n in self.replies.items()})
        self.updates, self.replies = Counter(), Counter()
        return line, counts


def listed(counts: Counter[str]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "none"
