"""The states an obligation moves through, and how it stands on a given day."""
from __future__ import annotations

from datetime import date

import pytest

from rules.obligations import (
    IllegalTransition,
    RefusedByHand,
    Standing,
    State,
    check_reopen,
    check_transition,
    check_waive,
    classify,
)
from tests.calendar_helpers import shipped_calendar

CALENDAR = shipped_calendar(2016, 2017)
DUE = date(2016, 8, 1)  # the inventory deadline, a Monday


def test_an_open_obligation_can_be_fulfilled():
    assert check_transition("open", "fulfilled") is State.FULFILLED


def test_a_returned_submission_can_be_returned_again():
    assert check_transition("returned", "returned") is State.RETURNED


def test_a_fulfilled_obligation_cannot_be_returned():
    with pytest.raises(IllegalTransition, match="已完成"):
        check_transition("fulfilled", "returned")


def test_a_fulfilled_obligation_can_be_reopened():
    assert check_transition("fulfilled", "open") is State.OPEN


@pytest.mark.parametrize("state", ["open", "returned"])
def test_what_is_still_owed_can_be_waived_by_hand(state):
    assert check_waive(7, state) is State.WAIVED


@pytest.mark.parametrize(("state", "name"), [("fulfilled", "已完成"), ("waived", "已免除")])
def test_a_closed_obligation_cannot_be_waived_and_the_refusal_says_to_reopen(state, name):
    with pytest.raises(RefusedByHand, match=f"事项 7 已是「{name}」，不能免除；如需重新办理，请用 reform obligation reopen"):
        check_waive(7, state)


@pytest.mark.parametrize("state", ["fulfilled", "waived"])
def test_a_closed_obligation_can_be_reopened_by_hand(state):
    assert check_reopen(7, state) is State.OPEN


@pytest.mark.parametrize(("state", "name"), [("open", "待报送"), ("returned", "已退回待修改")])
def test_what_is_still_owed_needs_no_reopening(state, name):
    with pytest.raises(RefusedByHand, match=f"事项 7 尚未办结（「{name}」），无需重新开启"):
        check_reopen(7, state)


@pytest.mark.parametrize(
    ("as_of", "standing"),
    [
        (date(2016, 7, 20), Standing.ON_TRACK),  # eight working days left
        (date(2016, 7, 25), Standing.NEAR_DUE),  # five working days left
        (date(2016, 7, 31), Standing.NEAR_DUE),  # a Sunday: one working day left
        (DUE, Standing.DUE),
        (date(2016, 8, 2), Standing.YELLOW),
        (date(2016, 8, 4), Standing.YELLOW),  # three working days late
        (date(2016, 8, 5), Standing.RED),  # four
    ],
)
def test_standing_is_counted_in_working_days(as_of, standing):
    assert classify("open", DUE, as_of, CALENDAR) is standing


def test_near_due_spans_a_holiday_week():
    # 2016-09-30 to 2016-10-10: only 10-08 and 10-09 (make-up days) and 10-10 are working days.
    assert classify("open", date(2016, 10, 10), date(2016, 9, 30), CALENDAR, near_due_working_days=3) is Standing.NEAR_DUE
    assert classify("open", date(2016, 10, 10), date(2016, 9, 30), CALENDAR, near_due_working_days=2) is Standing.ON_TRACK


def test_a_fulfilled_obligation_is_done_even_when_late():
    assert classify("fulfilled", DUE, date(2016, 9, 1), CALENDAR) is Standing.DONE


def test_a_returned_submission_still_counts_against_the_deadline():
    assert classify("returned", DUE, date(2016, 8, 2), CALENDAR) is Standing.YELLOW
