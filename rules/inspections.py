"""督导检查 (task 13): the checklist an inspection round carries, and what a round refuses. Pure: no I/O.

The checklist's items are the plan's own words for what task 13 inspects ("重点检查公共服务事项清单执行
情况、服务流程简化优化情况等，大力整治……庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬等问题"), so a
finding names the same thing the plan does.
"""
from __future__ import annotations

from datetime import date

from core.errors import UserError
from rules.calendar import WorkingCalendar
from rules.cell_text import fold

LIST_EXECUTION = "清单执行情况"
PROCESS_SIMPLIFICATION = "服务流程简化优化情况"
CONDUCT = "庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬"
CHECKLIST = (LIST_EXECUTION, PROCESS_SIMPLIFICATION, CONDUCT)
# The one item whose figure the registry already holds: the complaints recorded about the unit.
COUNTED_BY_COMPLAINTS = CONDUCT
DEFAULT_RECTIFICATION_WORKING_DAYS = 15


class InspectionError(UserError, ValueError):
    """Bad input to an inspection command; the message is for the coordinator, in Chinese."""


def checklist_item(named: str) -> str:
    """The checklist item a coordinator typed, compared folded; an unknown one is refused naming the three."""
    for item in CHECKLIST:
        if fold(named) == fold(item):
            return item
    raise InspectionError(f"检查清单中没有“{named.strip()}”，应为：{'；'.join(CHECKLIST)}")


def check_round_due(due: date, today: date, calendar: WorkingCalendar) -> date:
    """A round's due date is a working day not before the day it opens."""
    if due < today:
        raise InspectionError(f"检查截止日期 {due.isoformat()} 已过（今天是 {today.isoformat()}），请给出今后的日期")
    if not calendar.is_working_day(due):
        raise InspectionError(f"检查截止日期 {due.isoformat()} 不是工作日（{calendar.day_name(due) or '休息日'}），"
                              f"请改为工作日，例如 {calendar.next_working_day(due).isoformat()}")
    return due


def check_rectification_days(days: int) -> int:
    if days < 1:
        raise InspectionError(f"整改期限须为正整数个工作日，不能是 {days}")
    return days
