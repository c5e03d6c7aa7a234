"""The working-day calendar against the official 2016/2017 facts."""
from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from rules.calendar import (
    CalendarYear,
    WorkingCalendar,
    YearNotLoaded,
    calendar_year_from_days,
)
from tests.calendar_helpers import d, shipped_calendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return shipped_calendar()


def test_shipped_years_are_2015_to_2026(cal: WorkingCalendar) -> None:
    assert cal.years == tuple(range(2015, 2027))


@pytest.mark.parametrize("day", ["2016-06-12", "2016-09-18", "2016-10-09", "2017-01-22", "2017-02-04"])
def test_weekend_make_up_days_are_working(cal: WorkingCalendar, day: str) -> None:
    assert d(day).weekday() >= 5
    assert cal.is_working_day(d(day))


@pytest.mark.parametrize(
    "day", ["2016-06-09", "2016-06-10"] + [f"2016-10-0{i}" for i in range(1, 8)]
)
def test_statutory_holidays_are_not_working(cal: WorkingCalendar, day: str) -> None:
    assert not cal.is_working_day(d(day))


def test_ordinary_weekday_is_working(cal: WorkingCalendar) -> None:
    assert cal.is_working_day(d("2016-07-29"))


def test_ordinary_sunday_is_not_working(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(d("2016-07-31"))


def test_2015_victory_day_is_a_named_holiday(cal: WorkingCalendar) -> None:
    assert not cal.is_working_day(d("2015-09-03"))
    assert cal.day_name(d("2015-09-04")) == "抗战胜利纪念日"


def test_day_name_of_holiday(cal: WorkingCalendar) -> None:
    assert cal.day_name(d("2016-10-03")) == "国庆节"


def test_day_name_of_make_up_day(cal: WorkingCalendar) -> None:
    assert cal.day_name(d("2016-10-09")) == "国庆节调休"


def test_day_name_of_ordinary_day_is_empty(cal: WorkingCalendar) -> None:
    assert cal.day_name(d("2016-07-29")) == ""


def test_next_working_day_of_working_day_is_itself(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(d("2016-09-30")) == d("2016-09-30")


def test_next_working_day_skips_national_day_to_saturday_make_up(cal: WorkingCalendar) -> None:
    assert cal.next_working_day(d("2016-10-01")) == d("2016-10-08")


def test_previous_working_day_of_working_day_is_itself(cal: WorkingCalendar) -> None:
    assert cal.previous_working_day(d("2016-10-08")) == d("2016-10-08")


def test_previous_working_day_skips_back_over_national_day(cal: WorkingCalendar) -> None:
    assert cal.previous_working_day(d("2016-10-07")) == d("2016-09-30")


def test_add_one_working_day_from_friday_is_monday(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-07-29"), 1) == d("2016-08-01")


def test_add_one_working_day_across_national_day_lands_on_saturday_make_up(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-09-30"), 1) == d("2016-10-08")


def test_add_working_days_counts_both_make_up_days(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-09-30"), 2) == d("2016-10-09")
    assert cal.add_working_days(d("2016-09-30"), 3) == d("2016-10-10")


def test_add_negative_working_days_goes_back_over_national_day(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-10-08"), -1) == d("2016-09-30")


def test_add_zero_working_days_returns_the_day(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-10-01"), 0) == d("2016-10-01")


def test_add_working_days_from_a_holiday_starts_after_it(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(d("2016-10-03"), 1) == d("2016-10-08")


def test_add_working_days_across_new_year(cal: WorkingCalendar) -> None:
    # 2016-12-31 Sat, 2017-01-01 Sun, 2017-01-02 元旦 holiday.
    assert cal.add_working_days(d("2016-12-30"), 1) == d("2017-01-03")


def test_working_days_between_across_national_day_week(cal: WorkingCalendar) -> None:
    # (09-30, 10-10]: 10-08 Sat and 10-09 Sun make-up days plus Monday 10-10.
    assert cal.working_days_between(d("2016-09-30"), d("2016-10-10")) == 3


def test_working_days_between_excludes_start_and_includes_end(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(d("2016-07-28"), d("2016-07-29")) == 1


def test_working_days_between_same_day_is_zero(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(d("2016-09-30"), d("2016-09-30")) == 0


def test_working_days_between_reversed_is_negative(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(d("2016-10-10"), d("2016-09-30")) == -3


def test_working_days_between_agrees_with_add_working_days(cal: WorkingCalendar) -> None:
    start = d("2016-07-01")
    for n in range(-150, 151, 7):
        assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


def test_working_days_in_2016_total(cal: WorkingCalendar) -> None:
    # 366 days - 105 weekend days - 17 weekday holidays + 6 weekend make-up days.
    assert cal.working_days_between(d("2015-12-31"), d("2016-12-31")) == 250


def test_working_days_between_across_years_spans_runs(cal: WorkingCalendar) -> None:
    assert cal.working_days_between(d("2015-01-01"), d("2026-12-31")) > 2900


def test_unloaded_year_raises_on_is_working_day(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotLoaded) as info:
        cal.is_working_day(d("2027-10-08"))
    assert info.value.year == 2027


def test_year_not_loaded_message_names_the_year_and_the_command() -> None:
    message = str(YearNotLoaded(2027))
    assert "2027" in message and "reform calendar import" in message and "\n" not in message


def test_unloaded_year_raises_on_day_name(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotLoaded):
        cal.day_name(d("2014-10-01"))


def test_add_working_days_into_unloaded_year_raises(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotLoaded) as info:
        cal.add_working_days(d("2026-12-30"), 5)
    assert info.value.year == 2027


def test_add_negative_working_days_into_unloaded_year_raises(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotLoaded) as info:
        cal.add_working_days(d("2015-01-05"), -3)
    assert info.value.year == 2014


def test_working_days_between_into_unloaded_year_raises() -> None:
    cal = shipped_calendar(2016)
    with pytest.raises(YearNotLoaded) as info:
        cal.working_days_between(d("2016-12-01"), d("2017-01-10"))
    assert info.value.year == 2017


def test_working_days_between_over_a_gap_raises_for_the_missing_year() -> None:
    cal = shipped_calendar(2015, 2017)
    with pytest.raises(YearNotLoaded) as info:
        cal.working_days_between(d("2015-06-01"), d("2017-06-01"))
    assert info.value.year == 2016


def test_add_working_days_over_a_gap_raises_for_the_missing_year() -> None:
    cal = shipped_calendar(2015, 2017)
    with pytest.raises(YearNotLoaded) as info:
        cal.add_working_days(d("2015-12-30"), 5)
    assert info.value.year == 2016


def test_loading_a_year_twice_is_refused() -> None:
    year = CalendarYear(2016, {}, {})
    with pytest.raises(ValueError, match="2016"):
        WorkingCalendar([year, year])


def test_calendar_year_rejects_a_day_both_off_and_working() -> None:
    with pytest.raises(ValueError, match="2016-10-08"):
        CalendarYear(2016, {date(2016, 10, 8): "国庆节"}, {date(2016, 10, 8): "国庆节调休"})


def test_calendar_year_rejects_a_date_of_another_year() -> None:
    with pytest.raises(ValueError, match="2017-01-01"):
        CalendarYear(2016, {date(2017, 1, 1): "元旦"}, {})


def _full_table(year: int, overrides: dict[date, tuple[bool, str]]) -> dict[date, tuple[bool, str]]:
    first = date(year, 1, 1)
    days = {}
    for k in range((date(year, 12, 31) - first).days + 1):
        day = first + timedelta(days=k)
        days[day] = (day.weekday() < 5, "")
    days.update(overrides)
    return days


def test_calendar_year_from_days_keeps_only_exceptions() -> None:
    table = _full_table(
        2016,
        {
            d("2016-10-03"): (False, "国庆节"),  # Monday off
            d("2016-10-09"): (True, "国庆节调休"),  # Sunday worked
        },
    )
    cy = calendar_year_from_days(2016, table, source="测试")
    assert cy.holidays == {d("2016-10-03"): "国庆节"}
    assert cy.workdays == {d("2016-10-09"): "国庆节调休"}
    assert cy.source == "测试"


def test_calendar_year_from_days_keeps_named_weekend_holidays() -> None:
    table = _full_table(2016, {d("2016-10-01"): (False, "国庆节")})  # a Saturday
    assert calendar_year_from_days(2016, table).holidays == {d("2016-10-01"): "国庆节"}


def test_calendar_year_from_days_matches_shipped_calendar(cal: WorkingCalendar) -> None:
    first = date(2016, 1, 1)
    table = {
        first + timedelta(days=k): (cal.is_working_day(first + timedelta(days=k)), cal.day_name(first + timedelta(days=k)))
        for k in range(366)
    }
    rebuilt = WorkingCalendar([calendar_year_from_days(2016, table)])
    assert all(rebuilt.is_working_day(day) == cal.is_working_day(day) for day in table)


def test_calendar_year_from_days_rejects_incomplete_table() -> None:
    table = _full_table(2016, {})
    del table[d("2016-03-01")]
    with pytest.raises(ValueError, match="2016-03-01"):
        calendar_year_from_days(2016, table)


def test_working_days_between_is_fast_enough_for_a_large_sweep(cal: WorkingCalendar) -> None:
    today = d("2016-10-10")
    dues = [d("2016-07-01") + timedelta(days=k % 400) for k in range(100_000)]
    started = time.perf_counter()
    for due in dues:
        cal.working_days_between(today, due)
    assert time.perf_counter() - started < 2.0
