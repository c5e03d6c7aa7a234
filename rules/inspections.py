"""督导检查 (task 13): the checklist an inspection round carries, and what a round refuses. Pure: no I/O.

The checklist's items are the plan's own words for what task 13 inspects ("重点检查公共服务事项清单执行
情况、服务流程简化优化情况等，大力整治……庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬等问题"), so a
finding names the same thing the plan does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.errors import UserError
from core.problems import Problem
from rules.calendar import WorkingCalendar
from rules.cell_text import fold

LIST_EXECUTION = "清单执行情况"
PROCESS_SIMPLIFICATION = "服务流程简化优化情况"
CONDUCT = "庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬"
CHECKLIST = (LIST_EXECUTION, PROCESS_SIMPLIFICATION, CONDUCT)
# Quoted one by one: the conduct item has its own 、 and a problem list is joined by ；.
CHOICES = f"“{LIST_EXECUTION}”“{PROCESS_SIMPLIFICATION}”或“{CONDUCT}”"
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
    raise InspectionError(f"检查清单中没有“{named.strip()}”，应为{CHOICES}")


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


@dataclass(frozen=True)
class ChecklistRow:
    """One row of a filled checklist workbook, as the inspectors typed it."""

    row: int  # the row number Excel shows
    org_code: str
    item: str
    finding: str  # empty: nothing found on this item at this unit
    days: str = ""  # the rectification's working days; empty: the phase's own


@dataclass(frozen=True)
class FindingEntry:
    row: int
    org_code: str
    item: str
    text: str
    days: int | None


class ChecklistRefused(UserError, ValueError):
    """A filled checklist with problems; ``problems`` lists each, the one-line message all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("检查清单未导入，请改正后重新导入：" + "；".join(
            f"{p.where()}{p.what}" + (f"，{p.fix}" if p.fix else "") for p in self.problems))


def check_checklist_rows(rows: list[ChecklistRow], sheet: str, units: set[str]) -> tuple[list[FindingEntry], list[Problem]]:
    """The findings a filled checklist records, and every problem in it at once.

    A row is a finding when its finding cell holds text; its unit must be one the round inspects
    and its item one of the checklist's.
    """
    entries: list[FindingEntry] = []
    problems: list[Problem] = []
    items = {fold(i): i for i in CHECKLIST}
    for r in rows:
        if not r.finding.strip():
            continue
        item = items.get(fold(r.item))
        if r.org_code.strip() not in units:
            problems.append(Problem(f"单位代码“{r.org_code.strip()}”不在本轮被检查单位中", "请保留下发清单中的单位代码",
                                    sheet=sheet, row=r.row, column="单位代码"))
        if item is None:
            problems.append(Problem(f"检查项目“{r.item.strip()}”不在检查清单中", f"应为{CHOICES}",
                                    sheet=sheet, row=r.row, column="检查项目"))
        days = None
        if r.days.strip():
            text = r.days.strip()
            if not (text.isdigit() and int(text) >= 1):
                problems.append(Problem(f"整改期限“{text}”不是正整数", "请填写工作日天数，例如 15；不填则为 15 个工作日",
                                        sheet=sheet, row=r.row, column="整改期限（工作日）"))
            else:
                days = int(text)
        if item is not None:
            entries.append(FindingEntry(r.row, r.org_code.strip(), item, r.finding.strip(), days))
    return entries, problems
