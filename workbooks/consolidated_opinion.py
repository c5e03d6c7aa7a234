"""The consolidated written opinion (书面审核意见) a department receives: item by item, each agency's
opinion beside the consolidated one and, where agencies disagreed, the coordinator's decision."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from workbooks.safe_cells import append_safe

SHEET = "书面审核意见"
CONFLICT_FILL = PatternFill("solid", fgColor="FCE4D6")


@dataclass(frozen=True)
class OpinionLine:
    seq: str
    name: str
    by_agency: list[str]  # "保留" or "取消：无法律依据", in the order of ``agencies``
    outcome: str
    reason: str
    adjusted: str
    decided: str  # "" or the coordinator's decision, for items the agencies disagreed on


def build_consolidated_workbook(*, org_name: str, version: int, agencies: list[str], lines: list[OpinionLine],
                                response_due: date | None, reply_address: str, title: str = "公共服务事项清单",
                                name_header: str = "事项名称", instruction: str = "") -> bytes:
    """``instruction`` says what the department does next; the inventory's response by default."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    append_safe(sheet, [f"{org_name}{title}（第 {version} 版）书面审核意见"])
    sheet["A1"].font = Font(bold=True, size=14)
    append_safe(sheet, [instruction or f"请于 {response_due.isoformat()} 前研究提出意见：按综合意见修改清单后，"
                        f"将修改后的「公共服务事项清单」工作簿回复至 {reply_address}。"])
    headers = ["序号", name_header, *[f"{a}意见" for a in agencies], "综合意见", "综合理由", "调整后内容", "协调决定"]
    append_safe(sheet, headers)
    for column in range(1, len(headers) + 1):
        cell = sheet.cell(row=3, column=column)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    sheet.freeze_panes = "C4"
    for line in lines:
        # Agencies' reasons and the department's item names are outside text: append_safe.
        append_safe(sheet, [line.seq, line.name, *line.by_agency, line.outcome, line.reason, line.adjusted,
                            line.decided])
        if line.decided:
            for cell in sheet[sheet.max_row]:
                cell.fill = CONFLICT_FILL
    for letter, width in zip("ABCDEFGHIJ", (6, 30, 18, 18, 18, 18, 10, 40, 30, 30)):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
