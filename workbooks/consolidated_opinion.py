"""The consolidated written opinion (书面审核意见) a department receives: item by item, each agency's
opinion beside the consolidated one and, where agencies disagreed, the coordinator's decision."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from workbooks.safe_cells import Formats, safe_workbook, set_width, write_row_safe, write_safe

SHEET = "书面审核意见"
CONFLICT_COLOUR = "FCE4D6"  # the rows the agencies disagreed on
WIDTHS = (6, 30, 18, 18, 18, 18, 10, 40, 30, 30)
HEADER_ROW = 2  # counted from 0: below the title and the instruction


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
    headers = ["序号", name_header, *[f"{a}意见" for a in agencies], "综合意见", "综合理由", "调整后内容", "协调决定"]
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = Formats(book, {"title": {"bold": True, "font_size": 14}, "header": {"bold": True, "text_wrap": True},
                                 "conflict": {"bg_color": CONFLICT_COLOUR}})
        sheet = book.add_worksheet(SHEET)
        write_safe(sheet, 0, 0, f"{org_name}{title}（第 {version} 版）书面审核意见", formats, "title")
        write_safe(sheet, 1, 0, instruction or f"请于 {response_due.isoformat()} 前研究提出意见：按综合意见修改清单后，"
                                f"将修改后的「公共服务事项清单」工作簿回复至 {reply_address}。", formats)
        write_row_safe(sheet, HEADER_ROW, headers, formats, "header")
        sheet.freeze_panes(HEADER_ROW + 1, 2)
        for row, line in enumerate(lines, start=HEADER_ROW + 1):
            # Agencies' reasons and the department's item names are outside text.
            write_row_safe(sheet, row, [line.seq, line.name, *line.by_agency, line.outcome, line.reason, line.adjusted,
                                        line.decided], formats, "conflict" if line.decided else None)
        for col, width in enumerate(WIDTHS):
            set_width(sheet, col, col, width)
    return out.getvalue()
