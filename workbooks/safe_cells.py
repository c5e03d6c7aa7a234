"""Writing text that came from a submitter into a workbook, never as a live formula.

openpyxl stores any string that starts with "=" as a formula, and spreadsheet programs treat
"+", "-" and "@" the same way when a cell is edited. Every workbook writer in the project puts
values through ``safe_value``/``append_safe`` so such text stays text (and is quote-prefixed,
so Excel keeps it as text even after someone edits the cell).
"""
from __future__ import annotations

from collections.abc import Iterable

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.lstrip(" \t\r\n").startswith(FORMULA_TRIGGERS)


def set_safe(cell: Cell | WriteOnlyCell, value: object) -> Cell | WriteOnlyCell:
    """Put a value in a cell; formula-like text is stored as a string."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_safe(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """``sheet.append`` for rows that may hold a submitter's text (works in write-only mode too)."""
    if isinstance(sheet, WriteOnlyWorksheet):
        sheet.append([set_safe(WriteOnlyCell(sheet), v) for v in values])
        return
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        set_safe(sheet.cell(row=row, column=column), value)
