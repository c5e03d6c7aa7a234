"""The inspection checklist workbook (督导检查清单): one row per unit and checklist item, and reading it back.

The registry pre-fills what it knows (the complaints recorded about each unit); the inspectors
write what they found and, where it differs from the usual 15, the working days to rectify it.
Reading it back never raises: an unreadable file or a missing header is a problem.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from python_calamine import CalamineError

from core.problems import Problem
from rules.cell_text import fold, typed_text
from rules.inspections import CHECKLIST, COUNTED_BY_COMPLAINTS, ChecklistRow
from workbooks.cover import HEADER_COLOUR
from workbooks.package import reader_failure
from workbooks.safe_cells import Formats, safe_workbook, set_width, write_row_safe, write_safe

SHEET = "督导检查清单"
ROUND = "检查名称"
ORG_CODE = "单位代码"
ORG_NAME = "单位名称"
ITEM = "检查项目"
KNOWN = "已掌握情况"
FINDING = "发现的问题"
DAYS = "整改期限（工作日）"
HEADERS = (ORG_CODE, ORG_NAME, ITEM, KNOWN, FINDING, DAYS)
HEADER_ROW = 2  # counted from 0: below the round's name and the instruction
INSPECTORS_COLOUR = "FFF2CC"  # the two columns the inspectors fill
WIDTHS = (12, 28, 36, 16, 48, 18)


@dataclass(frozen=True)
class ChecklistUnit:
    code: str
    name: str
    complaints: int


@dataclass
class FilledChecklist:
    round_name: str = ""
    rows: list[ChecklistRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_checklist(round_name: str, due: date, units: list[ChecklistUnit]) -> bytes:
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = Formats(book, {"header": {"bold": True, "bg_color": HEADER_COLOUR},
                                 "finding": {"bg_color": INSPECTORS_COLOUR, "text_wrap": True, "valign": "top"},
                                 "days": {"bg_color": INSPECTORS_COLOUR}})
        sheet = book.add_worksheet(SHEET)
        write_row_safe(sheet, 0, [ROUND, round_name], formats)
        write_safe(sheet, 1, 0, f"请在「{FINDING}」列写明发现的问题（未发现问题的留空），检查截止 {due.isoformat()}；"
                                f"「{DAYS}」不填则为 15 个工作日。", formats)
        write_row_safe(sheet, HEADER_ROW, HEADERS, formats, "header")
        rows = [(unit, item) for unit in units for item in CHECKLIST]
        for row, (unit, item) in enumerate(rows, start=HEADER_ROW + 1):
            known = f"被投诉 {unit.complaints} 件" if item == COUNTED_BY_COMPLAINTS else ""
            write_row_safe(sheet, row, [unit.code, unit.name, item, known], formats)
            write_safe(sheet, row, 4, None, formats, "finding")
            write_safe(sheet, row, 5, None, formats, "days")
        for col, width in enumerate(WIDTHS):
            set_width(sheet, col, col, width)
        sheet.freeze_panes(HEADER_ROW + 1, 0)
    return out.getvalue()


def read_checklist(content: bytes) -> FilledChecklist:
    """The filled rows (which passed workbooks.safety); problems for what cannot be read, never an error."""
    try:
        return _read(content)
    except (CalamineError, zipfile.BadZipFile, ValueError, KeyError, OSError):
        return FilledChecklist(problems=[reader_failure(content)])


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return typed_text(value)


def _read(content: bytes) -> FilledChecklist:
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine")
    name = {fold(n): n for n in book.sheet_names}.get(fold(SHEET))
    if name is None:
        return FilledChecklist(problems=[Problem(f"找不到工作表「{SHEET}」", "请使用下发的督导检查清单填写", sheet=SHEET)])
    frame = pd.read_excel(book, sheet_name=name, header=None, dtype=object)
    result = FilledChecklist()
    header_at, columns = None, {}
    for index in range(min(len(frame), 10)):
        row = [fold(_text(v)) for v in frame.iloc[index]]
        if fold(ROUND) == (row[0] if row else "") and len(row) > 1:
            result.round_name = _text(frame.iat[index, 1])
        found = {fold(h): h for h in HEADERS}
        if fold(ORG_CODE) in row and fold(FINDING) in row:
            header_at = index
            columns = {found[v]: p for p, v in enumerate(row) if v in found}
            break
    if header_at is None:
        result.problems.append(Problem(f"工作表「{SHEET}」中找不到表头（应为：{'、'.join(HEADERS)}）",
                                       "请使用下发的督导检查清单，不要删除或改写表头", sheet=SHEET))
        return result
    missing = [h for h in (ORG_CODE, ITEM, FINDING) if h not in columns]
    result.problems += [Problem(f"缺少表头「{h}」", f"请按下发的清单原样恢复「{h}」这一列", sheet=SHEET,
                                row=header_at + 1, column=h) for h in missing]
    if missing:
        return result

    def cell(index: int, header: str) -> str:
        return _text(frame.iat[index, columns[header]]) if header in columns else ""

    for index in range(header_at + 1, len(frame)):
        row = ChecklistRow(index + 1, cell(index, ORG_CODE), cell(index, ITEM), cell(index, FINDING), cell(index, DAYS))
        if row.org_code or row.finding:
            result.rows.append(row)
    return result
