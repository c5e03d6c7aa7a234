"""The short self-report workbook of a long-term task (items 5-15), one per task, unit and period.

One sheet a department fills in: what was done in the period, in words, and the figures the
supervision looks at (certificates cancelled, items made available online, steps cut, days saved).
Figures carry whole-number validation; an instructions sheet, a filled example and the common
mistakes come with it, as for every template the project sends.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from workbooks.safe_cells import append_safe, set_safe

REPORT_SHEET = "自查报告"
# (label, kind, example): kind "text" or "count" (a whole number ≥ 0).
FIELDS: tuple[tuple[str, str, str | int], ...] = (
    ("本期主要工作和进展", "text", "梳理本部门办事所需证明 42 项，经论证取消 17 项，改为部门间信息共享核验 9 项。"),
    ("取消证明（项）", "count", 17),
    ("改为告知承诺（项）", "count", 3),
    ("信息共享替代证明材料（项）", "count", 9),
    ("实现网上办理的事项（项）", "count", 12),
    ("精简的办事环节（个）", "count", 8),
    ("压缩的办理时限（工作日，合计）", "count", 25),
    ("存在的问题", "text", "部分证明需省级部门数据共享，暂不能取消。"),
    ("下一步工作计划", "text", "下季度完成与市居民信息中心的数据对接。"),
    ("填报人及联系电话", "text", "王丽 024-22720013"),
)
MISTAKES = (
    "数量栏填写文字（如“十七项”“若干”）：请填写阿拉伯数字，没有的填 0。",
    "把多期的累计数填入本期：只填本报告期内新增的数量。",
    "修改“项目”一列或删除行：系统按项目名称读取，请只填写 C 列。",
)
_HEADER = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class ReportFacts:
    task_number: int
    task_title: str
    period: str  # e.g. 2016Q3
    org_name: str
    due: str  # ISO date


def report_filename(facts: ReportFacts) -> str:
    return f"长期推进任务第{facts.task_number}项自查报告_{facts.period}_{facts.org_name}.xlsx"


def build_supervision_report(facts: ReportFacts) -> bytes:
    book = Workbook()
    _report(book.active, facts)
    _instructions(book.create_sheet("填报说明"), facts)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _report(sheet, facts: ReportFacts) -> None:
    sheet.title = REPORT_SHEET
    # The organisation's name comes from the directory, which users import: append_safe.
    append_safe(sheet, [f"第{facts.task_number}项：{facts.task_title}"])
    append_safe(sheet, [f"报告期：{facts.period}　报送单位：{facts.org_name}　截止日期：{facts.due}"])
    append_safe(sheet, ["序号", "项目", "填报内容", "示范（不要改动本列）"])
    for cell in sheet[3]:
        cell.font, cell.fill = Font(bold=True), _HEADER
    counts = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorTitle="请填写数字", error="请填写 0 或正整数（阿拉伯数字）")
    sheet.add_data_validation(counts)
    for number, (label, kind, example) in enumerate(FIELDS, start=1):
        row = sheet.max_row + 1
        sheet.cell(row, 1, number)
        set_safe(sheet.cell(row, 2), label)
        set_safe(sheet.cell(row, 4), example)
        sheet.cell(row, 3).alignment = Alignment(wrap_text=True, vertical="top")
        if kind == "count":
            counts.add(f"C{row}")
    sheet.freeze_panes = "C4"  # labels and headers stay in view
    for column, width in (("A", 6), ("B", 34), ("C", 60), ("D", 50)):
        sheet.column_dimensions[column].width = width


def _instructions(sheet, facts: ReportFacts) -> None:
    lines = [
        "填报说明",
        f"1. 请在“{REPORT_SHEET}”表的 C 列填写 {facts.period} 期间的情况，于 {facts.due} 前回复邮件报送（附本表）。",
        "2. 数量栏只填阿拉伯数字，没有的填 0；文字栏简明扼要，每项不超过 300 字。",
        "3. D 列为示范文本，仅供参考，不会被读取。",
        "常见错误示例：",
        *(f"   · {m}" for m in MISTAKES),
    ]
    for line in lines:
        append_safe(sheet, [line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110
