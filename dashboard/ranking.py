"""The delay ranking: organisations by working days late and by cards received. Pure."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from dashboard.matrix import LATE, colour_of
from rules.calendar import WorkingCalendar, YearNotLoaded

CARD_NAMES = {"yellow": "黄牌", "red": "红牌", "supervision": "督查"}


@dataclass
class Delay:
    org: str
    name: str
    district: str | None
    late: int = 0  # obligations open past their due date
    days: int = 0  # working days late, added over them
    longest: int = 0  # the longest of them
    yellow: int = 0  # cards received: rungs taken (registry.supervision.service.cards_received)
    red: int = 0
    supervision: int = 0

    @property
    def cards(self) -> int:
        return self.yellow + self.red + self.supervision


def delay_ranking(status: dict, calendar: WorkingCalendar, cards: dict[str, dict[str, int]], limit: int = 50) -> dict:
    as_of = date.fromisoformat(status["as_of"])
    found: dict[str, Delay] = {}
    for o in status["obligations"]:
        entry = found.get(o["org"])
        if entry is None:
            entry = found[o["org"]] = Delay(o["org"], o.get("org_short_name") or o["org_name"], o.get("district"))
        if colour_of(o) not in LATE:
            continue
        try:
            days = calendar.working_days_between(date.fromisoformat(o["due"]), as_of)
        except YearNotLoaded:
            continue
        entry.late += 1
        entry.days += days
        entry.longest = max(entry.longest, days)
    for org, counted in cards.items():
        if org in found:
            for rung, n in counted.items():
                setattr(found[org], rung, n)
    by_days = sorted((d for d in found.values() if d.days), key=lambda d: (-d.days, -d.longest, d.name))[:limit]
    by_cards = sorted((d for d in found.values() if d.cards),
                      key=lambda d: (-d.red - d.supervision, -d.cards, d.name))[:limit]
    return {"as_of": status["as_of"], "campaign": status["campaign"],
            "by_days": [asdict(d) | {"cards": d.cards} for d in by_days],
            "by_cards": [asdict(d) | {"cards": d.cards} for d in by_cards]}
