"""Deadline phrases of the 2016 plan, resolved against the shipped calendar."""
from __future__ import annotations

import pytest

from rules.calendar import WorkingCalendar, YearNotLoaded
from rules.deadlines import (
    PhraseError,
    ResolvedDeadline,
    Shift,
    nominal_date,
    resolve_deadline,
)
from tests.calendar_helpers import d, shipped_calendar


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return shipped_calendar()


# --- nominal dates ---------------------------------------------------------------


def test_month_end_phrase_with_year() -> None:
    assert nominal_date("2016年7月底前") == d("2016-07-31")


def test_middle_of_month_is_the_20th() -> None:
    assert nominal_date("11月中旬前", default_year=2016) == d("2016-11-20")


def test_first_third_of_month_is_the_10th() -> None:
    assert nominal_date("10月上旬", default_year=2016) == d("2016-10-10")


def test_last_third_of_month_is_the_last_day() -> None:
    assert nominal_date("2016年2月下旬", default_year=2016) == d("2016-02-29")


def test_month_end_without_year_uses_default_year() -> None:
    assert nominal_date("9月底前", default_year=2016) == d("2016-09-30")


def test_written_year_wins_over_default_year() -> None:
    assert nominal_date("2017年3月底前", default_year=2016) == d("2017-03-31")


def test_explicit_chinese_day() -> None:
    assert nominal_date("2016年11月30日") == d("2016-11-30")


def test_iso_date() -> None:
    assert nominal_date("2016-11-30") == d("2016-11-30")


def test_full_width_digits() -> None:
    assert nominal_date("２０１６年１２月底前") == d("2016-12-31")


def test_first_date_in_surrounding_text() -> None:
    assert nominal_date("市直有关部门2016年7月底前报送市编委办，9月底前反馈") == d("2016-07-31")


def test_missing_year_is_an_error() -> None:
    with pytest.raises(PhraseError, match="11月中旬前"):
        nominal_date("11月中旬前")


def test_phrase_without_date_is_an_error() -> None:
    with pytest.raises(PhraseError, match="长期推进"):
        nominal_date("长期推进", default_year=2016)


def test_impossible_day_is_an_error() -> None:
    with pytest.raises(PhraseError, match="2月30日"):
        nominal_date("2017年2月30日")


def test_phrase_error_message_is_chinese_and_names_the_phrase() -> None:
    with pytest.raises(PhraseError) as info:
        nominal_date("尽快")
    assert str(info.value).startswith("无法解析期限“尽快”")


# --- resolution ------------------------------------------------------------------


def test_sunday_month_end_moves_to_monday(cal: WorkingCalendar) -> None:
    assert resolve_deadline("2016年7月底前", cal).due == d("2016-08-01")


def test_sunday_reason_explains_the_move(cal: WorkingCalendar) -> None:
    reason = resolve_deadline("2016年7月底前", cal).reason
    assert reason == "2016-07-31 为星期日（非工作日），顺延至下一个工作日 2016-08-01"


def test_middle_of_november_sunday_moves_to_monday(cal: WorkingCalendar) -> None:
    assert resolve_deadline("11月中旬前", cal, default_year=2016).due == d("2016-11-21")


def test_year_end_moves_over_weekend_and_new_year_holiday(cal: WorkingCalendar) -> None:
    # 12-31 Sat, 2017-01-01 Sun, 2017-01-02 元旦 (observed).
    assert resolve_deadline("2016年12月底前", cal).due == d("2017-01-03")


def test_working_month_end_is_kept(cal: WorkingCalendar) -> None:
    assert resolve_deadline("2017年3月底前", cal).due == d("2017-03-31")


def test_working_deadline_reason_says_no_change(cal: WorkingCalendar) -> None:
    resolved = resolve_deadline("9月底前", cal, default_year=2016)
    assert resolved.due == d("2016-09-30")
    assert resolved.reason.endswith("（工作日），不调整")


def test_october_end_is_a_monday(cal: WorkingCalendar) -> None:
    assert resolve_deadline("10月底前", cal, default_year=2016).due == d("2016-10-31")


def test_holiday_reason_names_the_holiday(cal: WorkingCalendar) -> None:
    reason = resolve_deadline("2016年10月3日", cal).reason
    assert "国庆节" in reason and "2016-10-08" in reason


def test_previous_shift_moves_back_to_friday(cal: WorkingCalendar) -> None:
    resolved = resolve_deadline("2016年7月底前", cal, shift=Shift.PREVIOUS)
    assert resolved.due == d("2016-07-29")
    assert "提前至上一个工作日 2016-07-29" in resolved.reason


def test_shift_given_as_text_is_accepted(cal: WorkingCalendar) -> None:
    assert resolve_deadline("2016年7月底前", cal, shift="previous").shift is Shift.PREVIOUS


def test_resolution_keeps_the_source_phrase(cal: WorkingCalendar) -> None:
    resolved = resolve_deadline("市直有关部门7月底前报送", cal, default_year=2016)
    assert resolved == ResolvedDeadline(
        source_phrase="市直有关部门7月底前报送",
        nominal=d("2016-07-31"),
        due=d("2016-08-01"),
        shift=Shift.NEXT,
        reason="2016-07-31 为星期日（非工作日），顺延至下一个工作日 2016-08-01",
    )


def test_deadline_in_unloaded_year_raises(cal: WorkingCalendar) -> None:
    with pytest.raises(YearNotLoaded):
        resolve_deadline("2027年3月底前", cal)


def test_shift_out_of_loaded_years_raises() -> None:
    with pytest.raises(YearNotLoaded) as info:
        resolve_deadline("2016年12月底前", shipped_calendar(2016))
    assert info.value.year == 2017
