"""The escalation ladder on real 2016 dates: holidays and make-up working days (调休) included."""
from __future__ import annotations

from datetime import date

import pytest

from registry.campaign.plan import read_plan
from rules.escalation import (
    DEFAULT_GREEN,
    Level,
    Thresholds,
    address,
    current_step,
    ladder,
    next_step,
    policy_from_settings,
)
from rules.obligations import Standing, classify
from rules.periods import period_containing
from tests.calendar_helpers import d, shipped_calendar

CALENDAR = shipped_calendar(2016, 2017)
NORMAL = Thresholds()
REVIEW_DUE = d("2016-09-30")  # a Friday; 10-01..07 National Day, 10-08 and 10-09 make-up working days
INVENTORY_DUE = d("2016-08-01")  # a Monday


def _dates(due: date, thresholds: Thresholds = NORMAL) -> dict[str, str]:
    return {s.rung: s.on.isoformat() for s in ladder(due, thresholds, CALENDAR)}


def test_ladder_across_national_day_uses_the_make_up_weekend():
    assert _dates(REVIEW_DUE) == {
        "reminder-5": "2016-09-23", "reminder-3": "2016-09-27", "reminder-1": "2016-09-29",
        "yellow": "2016-10-08",  # a Saturday, but a working day
        "red": "2016-10-11",  # 10-08, 10-09, 10-10 are the 3 further working days
        "supervision": "2016-10-14",
    }


def test_reminder_before_a_mid_autumn_deadline_falls_on_the_make_up_sunday():
    # 2016-09-15..17 off, 2016-09-18 (Sunday) worked: one working day before Monday 09-19 is that Sunday.
    assert _dates(d("2016-09-19"))["reminder-1"] == "2016-09-18"


def test_ladder_of_the_inventory_deadline():
    assert _dates(INVENTORY_DUE) == {
        "reminder-5": "2016-07-25", "reminder-3": "2016-07-27", "reminder-1": "2016-07-29",
        "yellow": "2016-08-02", "red": "2016-08-05", "supervision": "2016-08-10",
    }


@pytest.mark.parametrize(("as_of", "rung"), [
    ("2016-09-22", None),
    ("2016-09-23", "reminder-5"),
    ("2016-09-26", "reminder-5"),
    ("2016-09-27", "reminder-3"),
    ("2016-09-30", "reminder-1"),  # the due day itself: the last reminder stands
    ("2016-10-03", "reminder-1"),  # a holiday after the due date: no working day has passed yet
    ("2016-10-08", "yellow"),
    ("2016-10-10", "yellow"),
    ("2016-10-11", "red"),
    ("2016-10-13", "red"),
    ("2016-10-14", "supervision"),
    ("2016-12-30", "supervision"),
])
def test_current_rung_on_each_day(as_of, rung):
    step = current_step("open", REVIEW_DUE, d(as_of), NORMAL, CALENDAR)
    assert (step.rung if step else None) == rung


def test_catch_up_after_a_gap_gives_only_the_current_rung():
    # The server was down from 07-26 to 08-08: the sweep on 08-09 owes the red card, nothing before it.
    step = current_step("open", INVENTORY_DUE, d("2016-08-09"), NORMAL, CALENDAR)
    assert (step.rung, step.level, step.recipient) == ("red", Level.RED, "head")


def test_a_closed_obligation_has_no_rung_and_no_next_step():
    assert current_step("fulfilled", INVENTORY_DUE, d("2016-08-09"), NORMAL, CALENDAR) is None
    assert next_step("waived", INVENTORY_DUE, d("2016-08-09"), NORMAL, CALENDAR) is None


def test_next_step_is_the_first_rung_after_the_day():
    step = next_step("open", REVIEW_DUE, d("2016-09-30"), NORMAL, CALENDAR)
    assert (step.rung, step.on) == ("yellow", d("2016-10-08"))


def test_next_step_after_the_last_rung_is_none():
    assert next_step("open", REVIEW_DUE, d("2016-10-14"), NORMAL, CALENDAR) is None


def test_green_channel_cards_sooner():
    green = _dates(INVENTORY_DUE, DEFAULT_GREEN)
    assert green == {"reminder-3": "2016-07-27", "reminder-1": "2016-07-29", "yellow": "2016-08-02",
                     "red": "2016-08-03", "supervision": "2016-08-04"}


def test_campaign_settings_override_the_defaults():
    policy = policy_from_settings(read_plan().settings)
    assert policy.normal == Thresholds((5, 3, 1), 3, 3)
    assert policy.green.red_after_working_days == 1
    custom = policy_from_settings({"escalation": {"red_after_working_days": 5}})
    assert (custom.normal.red_after_working_days, custom.normal.reminder_working_days) == (5, (5, 3, 1))


def test_a_negative_threshold_is_refused():
    with pytest.raises(ValueError, match="提醒天数"):
        Thresholds(reminder_working_days=(3, 0))


@pytest.mark.parametrize(("as_of", "standing"), [
    ("2016-09-30", Standing.DUE),
    ("2016-10-03", Standing.YELLOW),  # the due date has passed, though no working day has
    ("2016-10-10", Standing.YELLOW),
    ("2016-10-11", Standing.RED),
])
def test_standing_turns_yellow_then_red(as_of, standing):
    assert classify("open", REVIEW_DUE, d(as_of), CALENDAR) is standing


def test_a_green_channel_standing_turns_red_sooner():
    assert classify("open", INVENTORY_DUE, d("2016-08-03"), CALENDAR, red_after_working_days=1) is Standing.RED


def test_a_missing_leader_passes_the_yellow_card_to_the_head():
    emails = {"contact": "c@x", "leader": "", "head": "h@x", "supervision": "s@x"}
    addressing = address("leader", emails)
    assert (addressing.to_role, addressing.to, addressing.cc, addressing.skipped) == ("head", ("h@x",), ("c@x",),
                                                                                      ("leader",))


def test_supervision_copies_the_lead_agency_and_the_head():
    emails = {"contact": "c@x", "leader": "l@x", "head": "h@x", "supervision": "s@x"}
    addressing = address("supervision", emails, lead_agency=("bwb@x",))
    assert addressing.to == ("s@x",) and addressing.cc == ("h@x", "l@x", "c@x", "bwb@x")


def test_with_nobody_on_the_ladder_the_coordinator_gets_it():
    addressing = address("head", {}, coordinator=("bwb@x",))
    assert (addressing.to_role, addressing.to, addressing.skipped) == ("coordinator", ("bwb@x",),
                                                                       ("head", "supervision"))


@pytest.mark.parametrize(("day", "cadence", "label", "end"), [
    ("2016-08-15", "quarterly", "2016Q3", "2016-09-30"),
    ("2016-12-31", "quarterly", "2016Q4", "2016-12-31"),
    ("2016-02-10", "monthly", "2016-02", "2016-02-29"),
    ("2016-07-01", "half_yearly", "2016H2", "2016-12-31"),
])
def test_reporting_periods(day, cadence, label, end):
    period = period_containing(d(day), cadence)
    assert (period.label, period.end.isoformat()) == (label, end)
