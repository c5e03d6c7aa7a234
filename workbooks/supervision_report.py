"""The period's supervision report (督导检查通报) for 市政府办公厅, compiled from the accepted self-reports.

A summary, one row per unit and indicator with the registry's figure beside the unit's, a sheet per
task with a native bar chart of the two, the units that did not report, and what the units wrote.
Plain values in (``BulletinFacts``); every text a unit wrote goes in through append_safe.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from workbooks.cover import HEADER_COLOUR
from workbooks.safe_cells import append_safe

SUMMARY_SHEET = "通报"
ROWS_SHEET = "指标对比"
UNREPORTED_SHEET = "未报送单位"
NARRATIVE_SHEET = "工作情况"
ROW_HEADERS = ("任务", "单位", "单位代码", "指标", "计量单位", "系统统计值", "填报值", "差异", "说明")
UNREPORTED_HEADERS = ("任务", "单位", "单位代码", "报送截止日期", "状态")
NARRATIVE_HEADERS = ("任务", "单位", "工作进展", "存在问题", "下一步打算")
HEADER_FILL = PatternFill("solid", fgColor=HEADER_COLOUR)
DIFFER_FILL = PatternFill("solid", fgColor="FCE4D6")


@dataclass(frozen=True)
class BulletinRow:
    task_number: int
    org_name: str
    org_code: str
    label: str
    unit: str
    system: float
    reported: float | None  # None: the unit has not reported
    note: str = ""


@dataclass(frozen=True)
class Unreported:
    task_number: int
    org_name: str
    org_code: str
    due: str  # ISO date
    state: str  # in Chinese: 未报送, 退回修改, …


@dataclass(frozen=True)
class Narrative:
    task_number: int
    org_name: str
    progress: str
    issues: str
    next_steps: str


@dataclass(frozen=True)
class BulletinFacts:
    period: str
    campaign_name: str
    compiled_on: str  # ISO date
    tasks: tuple[tuple[int, str], ...]  # (number, title) of every task with a report due
    rows: tuple[BulletinRow, ...]
    unreported: tuple[Unreported, ...]
    narratives: tuple[Narrative, ...] = ()
    # Each month of the period: obligations opened, how many on the green channel (绿色通道), done on time.
    green_channel: tuple[dict, ...] = ()


def task_sheet_name(number: int) -> str:
    return f"第{number}项"


def bulletin_filename(period: str) -> str:
    return f"督导检查通报-{period}.xlsx"


def build_bulletin(facts: BulletinFacts) -> bytes:
    book = Workbook()
    _summary(book.active, facts)
    _rows(book.create_sheet(ROWS_SHEET), facts.rows, facts.tasks)
    for number, title in facts.tasks:
        _task(book.create_sheet(task_sheet_name(number)), number, title,
              [r for r in facts.rows if r.task_number == number])
    _unreported(book.create_sheet(UNREPORTED_SHEET), facts)
    _green_channel(book.create_sheet(GREEN_SHEET), facts)
    _narratives(book.create_sheet(NARRATIVE_SHEET), facts)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _headed(sheet: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    append_safe(sheet, list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for cell, width in zip(sheet[sheet.max_row], widths, strict=True):
        sheet.column_dimensions[cell.column_letter].width = width


def _summary(sheet: Worksheet, facts: BulletinFacts) -> None:
    sheet.title = SUMMARY_SHEET
    append_safe(sheet, [f"长期推进任务督导检查通报（{facts.period}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    reported = {(r.task_number, r.org_code) for r in facts.rows if r.reported is not None}
    due = reported | {(u.task_number, u.org_code) for u in facts.unreported}
    append_safe(sheet, [f"《{facts.campaign_name}》 编制日期：{facts.compiled_on}"])
    append_safe(sheet, [f"应报送自查报告 {len(due)} 份，已报送并通过校验 {len(reported)} 份，"
                        f"未报送 {len(facts.unreported)} 份（见「{UNREPORTED_SHEET}」）。"])
    append_safe(sheet, [])
    _headed(sheet, ("任务", "应报单位", "已报送", "未报送", "与系统统计值不一致的指标"), (44, 10, 10, 10, 24))
    for number, title in facts.tasks:
        rows = [r for r in facts.rows if r.task_number == number]
        units = {r.org_code for r in rows} | {u.org_code for u in facts.unreported if u.task_number == number}
        done = {r.org_code for r in rows if r.reported is not None}
        differ = sum(r.reported is not None and r.reported != r.system for r in rows)
        append_safe(sheet, [f"第{number}项 {title}", len(units), len(done), len(units - done), differ])


def _rows(sheet: Worksheet, rows: tuple[BulletinRow, ...], tasks: tuple[tuple[int, str], ...]) -> None:
    _headed(sheet, ROW_HEADERS, (24, 22, 10, 26, 10, 12, 10, 10, 40))
    titles = dict(tasks)
    for r in rows:
        differ = None if r.reported is None else _number(r.reported - r.system)
        append_safe(sheet, [f"第{r.task_number}项 {titles.get(r.task_number, '')}", r.org_name, r.org_code, r.label,
                            r.unit, _number(r.system), _number(r.reported), differ,
                            r.note if r.reported is not None else "未报送"])
        if differ:
            for cell in sheet[sheet.max_row]:
                cell.fill = DIFFER_FILL
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _task(sheet: Worksheet, number: int, title: str, rows: list[BulletinRow]) -> None:
    append_safe(sheet, [f"第{number}项 {title}"])
    sheet["A1"].font = Font(bold=True, size=12)
    _headed(sheet, ("单位·指标", "计量单位", "系统统计值", "填报值"), (36, 10, 12, 10))
    first = sheet.max_row
    for r in rows:
        append_safe(sheet, [f"{r.org_name}·{r.label}", r.unit, _number(r.system), _number(r.reported)])
    last = sheet.max_row
    if last == first:
        return
    chart = BarChart()
    chart.type = "col"
    chart.title = f"第{number}项：系统统计值与填报值"
    chart.y_axis.title = "数值"
    chart.add_data(Reference(sheet, min_col=3, max_col=4, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
    chart.width, chart.height = 24, 10
    sheet.add_chart(chart, "F2")


def _unreported(sheet: Worksheet, facts: BulletinFacts) -> None:
    _headed(sheet, UNREPORTED_HEADERS, (40, 24, 10, 14, 14))
    titles = dict(facts.tasks)
    for u in facts.unreported:
        append_safe(sheet, [f"第{u.task_number}项 {titles.get(u.task_number, '')}", u.org_name, u.org_code, u.due,
                            u.state])
    if not facts.unreported:
        append_safe(sheet, ["本期所有单位均已报送"])
    sheet.freeze_panes = "A2"


GREEN_SHEET = "绿色通道"
GREEN_HEADERS = ("月份", "开启事项", "绿色通道事项", "绿色通道占比", "按期办结", "绿色通道按期办结", "绿色通道未办结")


def _green_channel(sheet: Worksheet, facts: BulletinFacts) -> None:
    """The channel's share of each month's work (item 9), and how much of it was done on time."""
    _headed(sheet, GREEN_HEADERS, (12, 12, 14, 14, 12, 18, 16))
    for m in facts.green_channel:
        append_safe(sheet, [m["month"], m["opened"], m["priority"], f"{m['share']:.1%}", m["on_time"],
                            m["priority_on_time"], m["priority_open"]])
    sheet.freeze_panes = "A2"


def _narratives(sheet: Worksheet, facts: BulletinFacts) -> None:
    _headed(sheet, NARRATIVE_HEADERS, (24, 22, 50, 40, 40))
    for n in facts.narratives:
        append_safe(sheet, [f"第{n.task_number}项", n.org_name, n.progress, n.issues, n.next_steps])
    sheet.freeze_panes = "A2"
