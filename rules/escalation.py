"""The escalation ladder: reminders before a deadline, yellow and red cards after it, then 督查.

Pure module (standard library and ``rules`` only): every notice the daily sweep sends, and every
"next step" ``reform explain`` prints, is decided here from an obligation's due date.

The ladder, for an obligation due on working day D, with thresholds (reminders r…, red N, 督查 S):

- ``reminder-r`` on the r-th working day before D, to the working contact (工作联系人);
- ``yellow`` on the first working day after D (the due date has passed, still open),
  to the 分管领导, the contact copied;
- ``red`` once more than N working days have passed since D (first working day after D, plus N),
  to the 主要负责同志 (first responsible person), leader and contact copied;
- ``supervision`` S working days after the red card, to the supervising office (市政府办公厅 督查),
  the lead agency and the head copied.

"The due date passes" means as_of > due: a weekend after a Friday deadline already shows the
yellow *standing*, but the yellow *notice* goes on the first working day, when the sweep runs.
Each rung is taken once per obligation; a sweep after a gap takes only the current rung.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum

from rules.calendar import WorkingCalendar
from rules.obligations import CLOSED, State


class Level(IntEnum):
    """How far up an obligation has gone. Derived from the rules on every read (the outbox keeps each rung sent)."""

    NONE = 0
    REMINDED = 1
    YELLOW = 2
    RED = 3
    SUPERVISION = 4


# Who a rung is addressed to, bottom to top; a missing person passes the rung to the next one up.
RECIPIENT_ROLES = ("contact", "leader", "head", "supervision")
RECIPIENT_NAMES = {"contact": "工作联系人", "leader": "分管领导", "head": "主要负责同志",
                   "supervision": "市政府办公厅督查", "coordinator": "牵头单位（市编委办）"}
LEVEL_NAMES = {Level.NONE: "未提醒", Level.REMINDED: "已提醒", Level.YELLOW: "黄牌",
               Level.RED: "红牌", Level.SUPERVISION: "督查"}


@dataclass(frozen=True)
class Thresholds:
    reminder_working_days: tuple[int, ...] = (5, 3, 1)
    red_after_working_days: int = 3
    supervision_after_working_days: int = 3

    def __post_init__(self) -> None:
        if any(r < 1 for r in self.reminder_working_days):
            raise ValueError("提醒天数必须为正整数（到期前第几个工作日）")
        if self.red_after_working_days < 0 or self.supervision_after_working_days < 0:
            raise ValueError("红牌、督查天数不能为负数")
        # Largest first: the ladder climbs from the earliest reminder.
        object.__setattr__(self, "reminder_working_days", tuple(sorted(set(self.reminder_working_days), reverse=True)))


# 绿色通道 (item 9): priority obligations are carded and escalated sooner.
DEFAULT_NORMAL = Thresholds()
DEFAULT_GREEN = Thresholds(reminder_working_days=(3, 1), red_after_working_days=1, supervision_after_working_days=1)


@dataclass(frozen=True)
class EscalationPolicy:
    normal: Thresholds = DEFAULT_NORMAL
    green: Thresholds = DEFAULT_GREEN

    def for_priority(self, priority: bool) -> Thresholds:
        return self.green if priority else self.normal


def _thresholds(data: Mapping, default: Thresholds) -> Thresholds:
    return Thresholds(
        reminder_working_days=tuple(int(n) for n in data.get("reminder_working_days", default.reminder_working_days)),
        red_after_working_days=int(data.get("red_after_working_days", default.red_after_working_days)),
        supervision_after_working_days=int(
            data.get("supervision_after_working_days", default.supervision_after_working_days)),
    )


def policy_from_settings(settings: Mapping) -> EscalationPolicy:
    """Read a campaign's ``settings['escalation']``; a key it leaves out keeps the default."""
    data = settings.get("escalation") or {}
    return EscalationPolicy(
        normal=_thresholds(data, DEFAULT_NORMAL),
        green=_thresholds(data.get("green_channel") or {}, DEFAULT_GREEN),
    )


@dataclass(frozen=True)
class Step:
    """One rung of one obligation's ladder, with the working day it is taken."""

    rung: str  # "reminder-5", "yellow", "red", "supervision": part of the outbox key
    level: Level
    on: date
    recipient: str  # one of RECIPIENT_ROLES
    working_days: int = 0  # before the deadline for a reminder, after it for a card

    @property
    def title(self) -> str:
        if self.level is Level.REMINDED:
            return f"到期前第 {self.working_days} 个工作日提醒"
        return {Level.YELLOW: "黄牌警示", Level.RED: "红牌督办", Level.SUPERVISION: "提请市政府办公厅督查"}[self.level]


def reminder_step(due: date, days: int, calendar: WorkingCalendar) -> Step:
    return Step(f"reminder-{days}", Level.REMINDED, calendar.add_working_days(due, -days), "contact", days)


def card_steps(due: date, thresholds: Thresholds, calendar: WorkingCalendar) -> list[Step]:
    return [_card_step(level, due, thresholds, calendar) for level in (Level.YELLOW, Level.RED, Level.SUPERVISION)]


def _card_step(level: Level, due: date, thresholds: Thresholds, calendar: WorkingCalendar) -> Step:
    # One rung at a time: in late December a later rung's date may need next year's calendar
    # when the rung reached today does not.
    red_late = thresholds.red_after_working_days + 1
    late, rung, recipient = {
        Level.YELLOW: (1, "yellow", "leader"),
        Level.RED: (red_late, "red", "head"),
        Level.SUPERVISION: (red_late + thresholds.supervision_after_working_days, "supervision", "supervision"),
    }[level]
    return Step(rung, level, calendar.add_working_days(due, late), recipient, late)


def ladder(due: date, thresholds: Thresholds, calendar: WorkingCalendar) -> list[Step]:
    """Every rung of the ladder in the order it is climbed (for explaining, not for sweeping)."""
    return [reminder_step(due, r, calendar) for r in thresholds.reminder_working_days] + card_steps(
        due, thresholds, calendar)


def current_step(state: str, due: date, as_of: date, thresholds: Thresholds, calendar: WorkingCalendar) -> Step | None:
    """The highest rung reached by as_of, or None (not yet reminded, or closed).

    O(1): one working-day count, then only the rung found is dated. This is what the sweep calls
    100,000 times, so it does not build the whole ladder.
    """
    if State(state) in CLOSED:
        return None
    left = calendar.working_days_between(as_of, due)  # negative once working days have passed
    if left < 0:
        late = -left
        if late >= thresholds.red_after_working_days + 1 + thresholds.supervision_after_working_days:
            return _card_step(Level.SUPERVISION, due, thresholds, calendar)
        if late >= thresholds.red_after_working_days + 1:
            return _card_step(Level.RED, due, thresholds, calendar)
        return _card_step(Level.YELLOW, due, thresholds, calendar)
    # Reminder r is reached once no more than r working days are left (the due day itself counts 0).
    reached = [r for r in thresholds.reminder_working_days if left <= r]
    return reminder_step(due, reached[-1], calendar) if reached else None


def next_step(state: str, due: date, as_of: date, thresholds: Thresholds, calendar: WorkingCalendar) -> Step | None:
    """The first rung dated after as_of, or None when the ladder is finished or the obligation closed."""
    if State(state) in CLOSED:
        return None
    return next((s for s in ladder(due, thresholds, calendar) if s.on > as_of), None)


@dataclass(frozen=True)
class Addressing:
    """Who a rung's notice goes to after skipping people with no address."""

    to_role: str  # the role that receives it (maybe higher than the rung's own)
    to: tuple[str, ...]
    cc: tuple[str, ...]
    skipped: tuple[str, ...] = field(default=())  # roles passed over for want of an address


def address(recipient: str, emails: Mapping[str, str], lead_agency: tuple[str, ...] = (),
            coordinator: tuple[str, ...] = ()) -> Addressing:
    """Pick the rung's addressee, climbing past missing ones; those below it who exist are copied.

    ``emails`` maps contact/leader/head/supervision to an address ("" when missing). With nobody
    left on the ladder, the notice goes to the coordinator, who has to find someone.
    """
    start = RECIPIENT_ROLES.index(recipient)
    skipped: list[str] = []
    for role in RECIPIENT_ROLES[start:]:
        if emails.get(role):
            below = [emails[r] for r in RECIPIENT_ROLES[:RECIPIENT_ROLES.index(role)]
                     if r != "supervision" and emails.get(r)]
            cc = list(reversed(below)) + (list(lead_agency) if role == "supervision" else [])
            return Addressing(role, (emails[role],), tuple(dict.fromkeys(a for a in cc if a != emails[role])),
                              tuple(skipped))
        skipped.append(role)
    return Addressing("coordinator", tuple(coordinator), (), tuple(skipped))
