"""Writing text that came from a submitter into a workbook or a CSV file, never as a live formula.

openpyxl stores any string that starts with "=" as a formula, and spreadsheet programs treat
"+", "-" and "@" the same way when a cell is edited or a CSV file opened, also after spaces, tabs or
invisible characters (rules.cell_text.looks_like_formula). Every writer in the project puts
values through ``set_safe``/``append_safe`` (workbooks) or ``csv_safe`` (CSV), so such text stays text.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rules.cell_text import looks_like_formula

if TYPE_CHECKING:  # openpyxl (with numpy, a second of import) only where a workbook is written
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet
    from openpyxl.worksheet.worksheet import Worksheet


def set_safe(cell: Cell | WriteOnlyCell, value: object) -> Cell | WriteOnlyCell:
    """Put a value in a cell; formula-like text is stored as a string, quote-prefixed so that Excel
    keeps it text even after someone edits the cell."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_safe(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """``sheet.append`` for rows that may hold a submitter's text (works in write-only mode too)."""
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - slow import, see above
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # noqa: PLC0415 - slow import, see above

    if isinstance(sheet, WriteOnlyWorksheet):
        sheet.append([set_safe(WriteOnlyCell(sheet), v) for v in values])
        return
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        set_safe(sheet.cell(row=row, column=column), value)


def csv_safe(value: object) -> object:
    """A value for a CSV row: formula-like text gets a leading apostrophe, the mark spreadsheet
    programs read as "this is text" (a CSV file has no cell types to say it)."""
    return f"'{value}" if looks_like_formula(value) else value
