"""One message per organisation, rung and day: how a day's rung decisions become notices.

Pure module. An agency reviewing 26 departments' lists reaches the same rung for all 26 on the
same morning; it gets one message listing the 26, not 26 messages. Each obligation's rung is
still decided, and recorded, on its own; only the wording is shared.

Groups come in a stable order (day, organisation, rung as the ladder climbs), and within a
group the obligations by due date, then by number, so the most pressing comes first and a
rerun words the message the same way.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import NamedTuple


class RungDecision(NamedTuple):
    """One obligation reaching a rung: what the sweep decided for it today."""

    obligation_id: int
    recipient: str  # the organisation written to (its code): the obligation's debtor
    rung: str  # "reminder-5", "yellow", "red", "supervision"
    due: date


@dataclass(frozen=True)
class NoticeGroup:
    """The obligations one organisation is told about in one message at one rung on one day."""

    recipient: str
    rung: str
    on: date
    obligation_ids: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.obligation_ids)


def rung_order(rung: str) -> tuple[int, int]:
    """Where a rung sits on the ladder: reminders from the earliest (most days left), then the cards."""
    cards = ("yellow", "red", "supervision")
    if rung in cards:
        return 1, cards.index(rung)
    days = rung.rpartition("-")[2]
    return 0, -int(days) if days.isdigit() else 0


def group_decisions(on: date, decisions: Iterable[RungDecision]) -> list[NoticeGroup]:
    """The day's decisions, one group per (recipient organisation, rung)."""
    members: dict[tuple[str, str], list[RungDecision]] = {}
    for decision in decisions:
        members.setdefault((decision.recipient, decision.rung), []).append(decision)
    return [
        NoticeGroup(recipient, rung, on, tuple(d[0] for d in sorted(members[recipient, rung], key=_DUE_THEN_NUMBER)))
        for recipient, rung in sorted(members, key=lambda k: (k[0], rung_order(k[1])))
    ]


# (due, obligation_id) by position: a province's day sorts 75,000 decisions with it.
_DUE_THEN_NUMBER = itemgetter(3, 0)
