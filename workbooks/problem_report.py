"""The problem list attached to a rejected receipt, so a department can sort and tick off each line."""
from __future__ import annotations

import io

from openpyxl import Workbook

from core.problems import Problem
from workbooks.safe_cells import append_safe

HEADERS = ("序号", "工作表", "行", "列", "问题", "修改方法")


def build_problem_report(problems: list[Problem]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("问题清单")
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEF", (6, 20, 8, 18, 50, 60)):
        sheet.column_dimensions[letter].width = width
    append_safe(sheet, list(HEADERS))
    for number, p in enumerate(problems, start=1):
        # Problems quote the submitter's own text: append_safe keeps "=…" from becoming a formula.
        append_safe(sheet, [number, p.sheet, p.row or "", p.column, p.what, p.fix])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
