"""The approved consolidated list: one workbook for the whole city, a summary and a sheet per department."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from workbooks import inventory_schema as s
from workbooks.review_packet import ITEM_FIELDS
from workbooks.safe_cells import append_safe

SUMMARY_SHEET = "汇总"
UNFINISHED_SHEET = "未完成审核"
UNFINISHED_MARK = "未完成审核"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class DepartmentList:
    code: str
    name: str
    short_name: str
    version: int | None  # the submission version frozen; None for a zero report or nothing accepted
    status: str  # e.g. 已复核, 零报告, 审核中
    items: list[dict]
    # Through review, response and recheck (or a zero report); only a forced approval freezes one that is not.
    finished: bool = True


def sheet_title(short_name: str, code: str, taken: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    title = _SHEET_FORBIDDEN.sub("", short_name or code)[:31] or code
    if title in taken:
        title = f"{title[:31 - len(code) - 1]}-{code}"
    taken.add(title)
    return title


def build_approved_list(*, campaign_name: str, version: int, approved_on: date, meeting: str, document: str,
                        departments: list[DepartmentList], change_note: str = "", forced: str = "") -> bytes:
    """``forced``: the reason a version was frozen before every list was through review; the
    unfinished departments are then named on the summary, on a sheet of their own, and on every item."""
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY_SHEET
    append_safe(summary, [f"{campaign_name}：公共服务事项清单（第 {version} 版）"])
    summary["A1"].font = Font(bold=True, size=14)
    append_safe(summary, [f"审定：{approved_on.isoformat()} {meeting}，{document}"])
    if change_note:
        append_safe(summary, [change_note])
    unfinished = [d for d in departments if not d.finished]
    if unfinished:
        append_safe(summary, [f"注意：{len(unfinished)} 个部门的清单未完成审核、回复和复核即被冻结"
                              f"（见「{UNFINISHED_SHEET}」工作表），理由：{forced or '未说明'}"])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True, color="C00000")
    append_safe(summary, ["部门代码", "部门", "清单版本", "事项数", "状态"])
    taken: set[str] = {SUMMARY_SHEET, UNFINISHED_SHEET}
    for d in departments:
        status = d.status if d.finished else f"{UNFINISHED_MARK}（{d.status}）"
        append_safe(summary, [d.code, d.name, d.version or "", len(d.items), status])
        if not d.items:
            continue
        sheet = book.create_sheet(sheet_title(d.short_name, d.code, taken))
        append_safe(sheet, [*s.HEADERS, *([] if d.finished else ["审核状态"])])
        sheet.freeze_panes = "A2"
        for item in d.items:
            append_safe(sheet, ["是" if f == "charged" and item.get(f) else "否" if f == "charged" else item.get(f)
                                for f in ITEM_FIELDS] + ([] if d.finished else [f"{UNFINISHED_MARK}（{d.status}）"]))
    append_safe(summary, ["合计", "", "", sum(len(d.items) for d in departments), ""])
    for letter, width in zip("ABCDE", (10, 36, 10, 8, 16)):
        summary.column_dimensions[letter].width = width
    if unfinished:
        note = book.create_sheet(UNFINISHED_SHEET, 1)
        append_safe(note, [f"以下部门的清单未完成审核、回复和复核，经强行审定冻结；理由：{forced or '未说明'}"])
        append_safe(note, ["部门代码", "部门", "所处阶段", "事项数"])
        for d in unfinished:
            append_safe(note, [d.code, d.name, d.status, len(d.items)])
        note.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
