"""From the plan's deadline phrases ("7月底前", "11月中旬前") to a due working day.

The plan dates its phases in words; coordinators must be able to see why a date is
what it is, so the source phrase and a Chinese explanation travel with the result.
Pure module: standard library only.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from core.errors import UserError
from rules.calendar import WorkingCalendar


class Shift(StrEnum):
    """Where a deadline on a non-working day goes.

    NEXT is the general rule for periods in Chinese law; a campaign may prefer PREVIOUS
    so that nothing is due after the date printed in the plan.
    """

    NEXT = "next"
    PREVIOUS = "previous"


class PhraseError(UserError, ValueError):
    """A deadline phrase that cannot be turned into a date."""

    def __init__(self, phrase: str, problem: str) -> None:
        self.phrase = phrase
        self.problem = problem
        super().__init__(f"无法解析期限“{phrase}”：{problem}")


# 底/末 and 下旬 both end at the month's last day; 中旬 and 上旬 end at the 20th and 10th.
_PART_DAY = {"上旬": 10, "中旬": 20}
_MONTH_END = {"底", "末", "下旬"}

_CHINESE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?(?P<month>\d{1,2})\s*月\s*"
    r"(?:(?P<day>\d{1,2})\s*[日号]|(?P<part>底|末|上旬|中旬|下旬))"
)
_NUMERIC = re.compile(r"(?<!\d)(?P<year>\d{4})\s*[-/.]\s*(?P<month>\d{1,2})\s*[-/.]\s*(?P<day>\d{1,2})(?!\d)")

_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


def _last_day_of_month(year: int, month: int) -> int:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return (first_of_next - timedelta(days=1)).day


def nominal_date(phrase: str, default_year: int | None = None) -> date:
    """The calendar date a phrase names, before any working-day adjustment.

    Surrounding text is allowed ("市直有关部门2016年7月底前报送市编委办"); the first
    date expression wins. A phrase without a year needs `default_year`.
    """
    # NFKC turns full-width digits and dashes (２０１６－１１) into ASCII ones.
    text = unicodedata.normalize("NFKC", phrase)
    matches = [m for m in (_CHINESE.search(text), _NUMERIC.search(text)) if m]
    if not matches:
        raise PhraseError(phrase, "未找到日期（应形如“2016年7月底前”“11月中旬前”或“2016-11-30”）")
    m = min(matches, key=lambda match: match.start())
    groups = m.groupdict()
    if groups["year"]:
        year = int(groups["year"])
    elif default_year is not None:
        year = default_year
    else:
        raise PhraseError(phrase, "没有写明年份，也未指定默认年份")
    month = int(groups["month"])
    if not 1 <= month <= 12:
        raise PhraseError(phrase, f"月份 {month} 不存在")
    part = groups.get("part")
    if part in _MONTH_END:
        day = _last_day_of_month(year, month)
    elif part:
        day = _PART_DAY[part]
    else:
        day = int(groups["day"])
    try:
        return date(year, month, day)
    except ValueError:
        raise PhraseError(phrase, f"{year}年{month}月没有第 {day} 日") from None


@dataclass(frozen=True)
class ResolvedDeadline:
    """A due date with the phrase it came from and why it moved (or did not)."""

    source_phrase: str
    nominal: date
    due: date
    shift: Shift
    reason: str


def _describe(d: date, calendar: WorkingCalendar) -> str:
    """E.g. "2016-10-01 为星期六、国庆节假期" or "2016-10-08 为星期六、国庆节调休"."""
    text = f"{d.isoformat()} 为{_WEEKDAYS[d.weekday()]}"
    name = calendar.day_name(d)
    if name:
        working = calendar.is_working_day(d)
        text += f"、{name}" if working or name.endswith("假期") else f"、{name}假期"
    return text


def resolve_deadline(
    phrase: str,
    calendar: WorkingCalendar,
    shift: Shift = Shift.NEXT,
    default_year: int | None = None,
) -> ResolvedDeadline:
    """Resolve a phrase to the working day on which the obligation is due."""
    shift = Shift(shift)
    nominal = nominal_date(phrase, default_year)
    if calendar.is_working_day(nominal):
        return ResolvedDeadline(phrase, nominal, nominal, shift, f"{_describe(nominal, calendar)}（工作日），不调整")
    if shift is Shift.NEXT:
        due = calendar.add_working_days(nominal, 1)
        direction = "顺延至下一个工作日"
    else:
        due = calendar.add_working_days(nominal, -1)
        direction = "提前至上一个工作日"
    reason = f"{_describe(nominal, calendar)}（非工作日），{direction} {due.isoformat()}"
    return ResolvedDeadline(phrase, nominal, due, shift, reason)
