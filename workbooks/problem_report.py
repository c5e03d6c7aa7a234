"""The problem list attached to a rejected receipt, so a department can sort and tick off each line."""
from __future__ import annotations

import io

from core.problems import Problem
from workbooks.safe_cells import Formats, safe_workbook, set_width, write_row_safe

HEADERS = ("序号", "工作表", "行", "列", "问题", "修改方法")
WIDTHS = (6, 20, 8, 18, 50, 60)


def build_problem_report(problems: list[Problem]) -> bytes:
    out = io.BytesIO()
    with safe_workbook(out) as book:
        formats = Formats(book)
        sheet = book.add_worksheet("问题清单")
        sheet.freeze_panes(1, 0)
        for col, width in enumerate(WIDTHS):
            set_width(sheet, col, col, width)
        write_row_safe(sheet, 0, HEADERS, formats)
        for number, p in enumerate(problems, start=1):
            # Problems quote the submitter's own text, which must not become a formula.
            write_row_safe(sheet, number, [number, p.sheet, p.row or None, p.column, p.what, p.fix], formats)
    return out.getvalue()
