"""Reading a returned service-guide workbook into rules.guides.GuideSheets, tolerant where a person would be.

Sheets and headers are matched after folding (full-width to half-width, spaces removed), headers in
any order and in any of the first rows; every cell becomes the text the person typed. A sheet or
header that is missing, or a file that cannot be read, becomes a problem: this module never raises.
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError

from core.problems import Problem
from rules.cell_text import fold, shown, strip_as_typed
from rules.guides import GuideSheets, SheetRow
from workbooks import guides_schema as s
from workbooks.package import RESAVE, reader_failure, sheet_parts

HEADER_SEARCH_ROWS = 10
_TABLES = ((s.GUIDE_SHEET, "guides"), (s.MATERIAL_SHEET, "materials"), (s.STEP_SHEET, "steps"),
           (s.FEE_SHEET, "fees"), (s.FAQ_SHEET, "faqs"))


def parse_guides(content: bytes) -> GuideSheets:
    """Parse a workbook that passed workbooks.safety; unreadable content becomes a problem, not an error."""
    try:
        return _parse(content)
    except (CalamineError, zipfile.BadZipFile, ValueError, OSError):
        return GuideSheets(problems=[reader_failure(content)])


def _parse(content: bytes) -> GuideSheets:
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine").book
    result = GuideSheets()
    if not book.sheet_names:
        result.problems.append(Problem("文件已损坏：工作簿中没有任何工作表", RESAVE))
        return result
    by_fold = {fold(name): name for name in book.sheet_names}
    if cover := by_fold.get(fold(s.COVER_SHEET)):
        result.org_code = _cover_code(book.get_sheet_by_name(cover).to_python(skip_empty_area=False, nrows=100))
    for sheet, attribute in _TABLES:
        name = by_fold.get(fold(sheet))
        if name is None:
            if sheet in s.REQUIRED_SHEETS:
                others = "、".join(f"「{n}」" for n in book.sheet_names)
                result.problems.append(Problem(f"找不到工作表「{sheet}」（工作簿中的工作表：{others}）",
                                               f"请使用下发的模板，不要删除或改名；如已改名，请改回「{sheet}」",
                                               sheet=sheet))
            continue
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        table, letters = _table(rows, sheet, result.problems)
        setattr(result, attribute, table)
        result.problems += _merges_and_formulas(content, name, sheet, letters)
    return result


def _cover_code(rows: list[list[object]]) -> str:
    for row in rows:
        if len(row) >= 2 and fold(row[0]) == fold(s.COVER_ORG_CODE):
            return cell_text(row[1])
    return ""


def _table(rows: list[list[object]], sheet: str, problems: list[Problem]) -> tuple[list[SheetRow], dict[str, str]]:
    """The rows below the header, and each header's column letter -> header."""
    fields = {fold(h): f for h, f in s.FIELDS[sheet].items()}
    best, hits = None, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = sum(fold(v) in fields for v in row)
        if found > hits:
            best, hits = index, found
    if best is None:
        problems.append(Problem(f"工作表「{sheet}」中找不到表头（应为：{'、'.join(s.HEADERS[sheet])}）",
                                "请使用下发的模板，把表头放在第 1 行，不要删除或改写", sheet=sheet))
        return [], {}
    columns: dict[int, str] = {}
    for position, value in enumerate(rows[best]):
        name = fields.get(fold(value))
        if name is not None and name not in columns.values():
            columns[position] = name
    for header, name in s.FIELDS[sheet].items():
        if name not in columns.values():
            problems.append(Problem(f"缺少表头「{header}」", f"请按模板补上「{header}」这一列", sheet=sheet,
                                    row=best + 1, column=header))
    table = []
    for index in range(best + 1, len(rows)):
        row = rows[index]
        values = {name: cell_text(row[p]) if p < len(row) else "" for p, name in columns.items()}
        for name in columns.values():
            values.setdefault(name, "")
        if any(values.values()):
            table.append(SheetRow(index + 1, {name: values.get(name, "") for name in s.LABELS[sheet]}))
    labels = s.LABELS[sheet]
    return table, {get_column_letter(p + 1): labels[name] for p, name in columns.items()}


_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A cell element that is not self-closing and holds an <f> before it ends.
_FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>/]*>(?:(?!</c>).)*?<f\b', re.S)


def _merges_and_formulas(content: bytes, name: str, sheet: str, letters: dict[str, str]) -> list[Problem]:
    """Merged cells and formulas below the header, read from the sheet's XML: calamine puts a merged
    value in the first cell only (a 事项编码 merged over five material rows leaves four without one)
    and reads a formula's cached value, which may be stale."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        xml = archive.read(sheet_parts(archive)[name])
    except (KeyError, zipfile.BadZipFile, ValueError, OSError):
        return []
    problems = []
    for left, top, right, bottom in _MERGE.findall(xml):
        if int(bottom) > 1:
            span = f"{left.decode()}{top.decode()}:{right.decode()}{bottom.decode()}"
            problems.append(Problem(f"单元格 {span} 是合并单元格", "请取消合并，在每一行分别填写完整内容（包括事项编码和事项名称）",
                                    sheet=sheet, row=int(top), column=letters.get(left.decode(), left.decode())))
    if b"<f>" in xml or b"<f " in xml:
        problems += [Problem(f"单元格 {col.decode()}{row.decode()} 使用了公式",
                             "请直接填写内容，不要使用公式（可复制后「选择性粘贴-数值」）",
                             sheet=sheet, row=int(row), column=letters.get(col.decode(), col.decode()))
                     for col, row in _FORMULA_CELL.findall(xml) if int(row) > 1]
    return problems


def cell_text(value: object) -> str:
    """A cell as the text its author typed: 5 rather than 5.0, a date without a midnight time."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool | float | datetime | date):
        return shown(value)
    return strip_as_typed(str(value))


def is_guides_workbook(content: bytes) -> bool:
    """Whether an attachment is a service-guide workbook, from its sheet list alone.

    Reads only xl/workbook.xml (size-checked first), so deciding where an attachment goes never
    expands an untrusted file; the full safety checks follow either way.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entry = archive.getinfo("xl/workbook.xml")
        if entry.file_size > 1 << 20:
            return False
        xml = archive.read(entry)
        return s.GUIDE_SHEET.encode() in xml and s.STEP_SHEET.encode() in xml
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError, EOFError):
        return False
