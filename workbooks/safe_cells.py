"""Writing text that came from a submitter into a workbook or a CSV file, never as a live formula.

Spreadsheet programs take text starting with "=", "+", "-" or "@" for a formula when a cell is
edited or a CSV file opened, also after spaces, tabs or invisible characters
(rules.cell_text.looks_like_formula); openpyxl even stores text starting with "=" as a formula.
The outgoing workbooks are written with xlsxwriter through ``safe_workbook`` and ``write_safe``/
``write_row_safe``; the few still written or filled with openpyxl use ``set_safe``/``append_safe``; CSV
files ``csv_safe``. Each way, such text stays text.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING

from rules.cell_text import looks_like_formula

if TYPE_CHECKING:  # openpyxl (with numpy, a second of import) and xlsxwriter only where a workbook is written
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet
    from xlsxwriter import Workbook
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet as XlsxSheet

# Nothing but write_formula may make a formula or a link: write() would take "=…" for one and
# "http…" for the other. In memory, since every workbook is small and most go out as bytes.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
CHARACTER_PIXELS = 7  # the width of a digit in the default font, the unit a column's width counts in


def safe_workbook(target: Path | str | IO[bytes], options: Mapping[str, object] | None = None) -> Workbook:
    """An xlsxwriter workbook that writes to ``target`` (a path or a buffer) when closed."""
    import xlsxwriter  # noqa: PLC0415 - slow import, see above

    return xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target,
                               {**SAFE_OPTIONS, **(options or {})})


class Formats:
    """Each cell format once, made when first used, with its quote-prefixed twin for text a
    spreadsheet would take for a formula: write_string already stores it as text, the prefix keeps it
    text when someone edits the cell. ``kinds`` names each format's xlsxwriter properties."""

    def __init__(self, book: Workbook, kinds: Mapping[str, Mapping[str, object]] | None = None) -> None:
        self._book = book
        self._kinds: dict[str | None, Mapping[str, object]] = {None: {}, **(kinds or {})}
        self._made: dict[tuple[str | None, bool], Format | None] = {(None, False): None}

    def __call__(self, kind: str | None = None, value: object = None) -> Format | None:
        key = (kind, looks_like_formula(value))
        if key not in self._made:
            self._made[key] = self._book.add_format({**self._kinds[kind], **({"quote_prefix": True} if key[1] else {})})
        return self._made[key]


def write_safe(sheet: XlsxSheet, row: int, col: int, value: object, formats: Formats, kind: str | None = None) -> None:
    """One cell, counted from 0; text always as a string, never a formula. None or "" leaves the
    cell blank (formatted if ``kind`` says so), as openpyxl wrote an empty string."""
    fmt = formats(kind, value)
    if value is None or value == "":
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    else:
        sheet.write(row, col, value, fmt)


def write_row_safe(sheet: XlsxSheet, row: int, values: Iterable[object], formats: Formats, kind: str | None = None,
                   first_col: int = 0) -> None:
    for col, value in enumerate(values, start=first_col):
        write_safe(sheet, row, col, value, formats, kind)


def set_width(sheet: XlsxSheet, first_col: int, last_col: int, width: int) -> None:
    """Columns ``width`` characters wide as the file stores it (padding included, as openpyxl and
    Excel's own files count), rather than xlsxwriter's width, which adds the padding on top."""
    sheet.set_column_pixels(first_col, last_col, width * CHARACTER_PIXELS)


def set_safe(cell: Cell, value: object) -> Cell:
    """Put a value in an openpyxl cell; formula-like text is stored as a string, quote-prefixed so
    that Excel keeps it text even after someone edits the cell."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def append_safe(sheet: Worksheet, values: Iterable[object]) -> None:
    """``sheet.append`` for rows that may hold a submitter's text."""
    row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        set_safe(sheet.cell(row=row, column=column), value)


def csv_safe(value: object) -> object:
    """A value for a CSV row: formula-like text gets a leading apostrophe, the mark spreadsheet
    programs read as "this is text" (a CSV file has no cell types to say it)."""
    return f"'{value}" if looks_like_formula(value) else value
