"""What an obligation can become, and how it stands on a given day. Pure: no I/O."""
from __future__ import annotations

from datetime import date
from enum import StrEnum

from core.errors import UserError
from rules.calendar import WorkingCalendar


class State(StrEnum):
    OPEN = "open"  # owed, nothing acceptable received yet
    RETURNED = "returned"  # something arrived and was sent back; still owed
    FULFILLED = "fulfilled"
    WAIVED = "waived"  # the coordinator released the debtor (with a reason in the audit log)


CLOSED = frozenset({State.FULFILLED, State.WAIVED})

TRANSITIONS: dict[State, frozenset[State]] = {
    State.OPEN: frozenset({State.RETURNED, State.FULFILLED, State.WAIVED}),
    State.RETURNED: frozenset({State.RETURNED, State.FULFILLED, State.WAIVED}),
    # Reopening covers a superseded submission or a later adjustment (动态调整).
    State.FULFILLED: frozenset({State.OPEN}),
    State.WAIVED: frozenset({State.OPEN}),
}

STATE_NAMES = {
    State.OPEN: "待报送",
    State.RETURNED: "已退回待修改",
    State.FULFILLED: "已完成",
    State.WAIVED: "已免除",
}


class IllegalTransition(UserError, ValueError):
    def __init__(self, current: State, target: State):
        self.current, self.target = current, target
        super().__init__(
            f"事项状态不能从「{STATE_NAMES[current]}」变为「{STATE_NAMES[target]}」"
            f" (illegal transition {current} -> {target})"
        )


def check_transition(current: str, target: str) -> State:
    """Return the target state if the move is allowed, else raise IllegalTransition."""
    current_state, target_state = State(current), State(target)
    if target_state not in TRANSITIONS[current_state]:
        raise IllegalTransition(current_state, target_state)
    return target_state


class RefusedByHand(UserError, ValueError):
    """A coordinator's waive or reopen that the state rules do not allow, said as what to do instead."""


def check_waive(obligation_id: int, current: str) -> State:
    """Waiving releases what is still owed; a closed obligation has nothing left to release."""
    state = State(current)
    if state in CLOSED:
        raise RefusedByHand(f"事项 {obligation_id} 已是「{STATE_NAMES[state]}」，不能免除；"
                            "如需重新办理，请用 reform obligation reopen")
    return check_transition(current, State.WAIVED)


def check_reopen(obligation_id: int, current: str) -> State:
    """Reopening brings back a closed obligation; an open one is still owed and needs no reopening."""
    state = State(current)
    if state not in CLOSED:
        raise RefusedByHand(f"事项 {obligation_id} 尚未办结（「{STATE_NAMES[state]}」），无需重新开启")
    return check_transition(current, State.OPEN)


class Standing(StrEnum):
    ON_TRACK = "on_track"
    NEAR_DUE = "near_due"
    DUE = "due"
    YELLOW = "yellow"  # the due date has passed, still open: 黄牌
    RED = "red"  # more than the campaign's N working days past it: 红牌
    DONE = "done"


STANDING_NAMES = {
    Standing.ON_TRACK: "正常",
    Standing.NEAR_DUE: "临近期限",
    Standing.DUE: "今日到期",
    Standing.YELLOW: "黄牌警示",  # the same words as the notices: 【黄牌警示】, 【红牌督办】
    Standing.RED: "红牌督办",
    Standing.DONE: "已完成",
}

DEFAULT_NEAR_DUE_WORKING_DAYS = 5
# A card turns red once more than this many working days have passed since the due date
# (rules.escalation.Thresholds keeps the same default; a campaign sets both).
DEFAULT_RED_AFTER_WORKING_DAYS = 3
LATE = frozenset({Standing.YELLOW, Standing.RED})


def working_days_left(due: date, as_of: date, calendar: WorkingCalendar) -> int:
    """Working days from as_of to due: 0 on the due date, negative once it has passed."""
    return calendar.working_days_between(as_of, due)


def classify(
    state: str,
    due: date,
    as_of: date,
    calendar: WorkingCalendar,
    near_due_working_days: int = DEFAULT_NEAR_DUE_WORKING_DAYS,
    red_after_working_days: int = DEFAULT_RED_AFTER_WORKING_DAYS,
) -> Standing:
    """How an obligation stands on as_of, counted in working days.

    Yellow as soon as the due date has passed (as_of > due, a weekend included); red once more
    than ``red_after_working_days`` working days have passed since it.
    """
    if State(state) in CLOSED:
        return Standing.DONE
    if as_of > due:
        late = calendar.working_days_between(due, as_of)
        return Standing.RED if late > red_after_working_days else Standing.YELLOW
    if as_of == due:
        return Standing.DUE
    if working_days_left(due, as_of, calendar) <= near_due_working_days:
        return Standing.NEAR_DUE
    return Standing.ON_TRACK
