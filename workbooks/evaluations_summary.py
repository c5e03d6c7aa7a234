"""The monthly public summary of 好差评 as a workbook: plain figures, nothing personal.

It is written from the summary's rows (registry.evaluations.summary), which hold no names, phones,
addresses or free text; unit and item names still go through append_safe, as any stored text.
"""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from workbooks.safe_cells import append_safe

SHEETS = (("按等级", "by_level"), ("按单位", "by_unit"), ("按事项", "by_item"), ("差评办理", "cases"))


def summary_workbook(summary: dict) -> bytes:
    """One sheet per table of the summary, each with its header row as the summary names it."""
    book = Workbook()
    book.remove(book.active)
    for title, key in SHEETS:
        table = summary[key]
        sheet = book.create_sheet(title)
        append_safe(sheet, table["headers"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            append_safe(sheet, row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
