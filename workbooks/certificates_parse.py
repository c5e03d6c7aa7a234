"""Reading a returned certificate ledger into plain rows for rules.certificates.

Headers are matched after folding (full-width to half-width, spaces removed), in any order; a
missing header is named. Each cell is read as the text the department typed. Nothing here
judges the content: that is check_certificates' work, told all at once.
"""
from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError

from core.problems import Problem
from rules.cell_text import fold, typed_text
from rules.certificates import CertificateSheet, SheetRow
from workbooks import certificates_schema as s
from workbooks.package import RESAVE, reader_failure, sheet_parts

HEADER_SEARCH_ROWS = 10
COVER_ROWS = 200
_FOLDED_HEADERS = {fold(h): h for h in s.HEADERS}
# The sheet by its exact name: a review packet's "证明事项清理表审核意见" sheet is not a ledger.
_LEDGER_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*\bname="' + re.escape(s.SHEET.encode()) + rb'"')


def parse_certificates(content: bytes) -> CertificateSheet:
    """Parse a ledger (which passed workbooks.safety); an unreadable file becomes a problem, never an error."""
    try:
        return _parse(content)
    except (CalamineError, zipfile.BadZipFile, ValueError, KeyError, OSError):
        return CertificateSheet(problems=[reader_failure(content)])


def _parse(content: bytes) -> CertificateSheet:
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine")
    result = CertificateSheet()
    by_fold = {fold(name): name for name in book.sheet_names}
    if cover := by_fold.get(fold(s.COVER_SHEET)):
        result.org_code = _cover_code(book, cover)
    sheet = by_fold.get(fold(s.SHEET))
    if sheet is None:
        result.problems.append(_missing_sheet(book))
        return result
    frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object)
    header_row, columns = _find_headers(frame)
    if header_row is None:
        result.problems.append(Problem(f"工作表「{s.SHEET}」中找不到表头（应为：{'、'.join(s.HEADERS)}）",
                                       "请使用下发的清理表，把表头放在第 1 行，不要删除或改写", sheet=s.SHEET))
        return result
    missing = [h for h in s.HEADERS if h not in columns.values()]
    result.problems += [Problem(f"缺少表头「{h}」", f"请按清理表原样恢复「{h}」这一列", sheet=s.SHEET,
                                row=header_row + 1, column=h) for h in missing]
    if missing:
        return result  # rows read without a column would be refused for it once per row: the header says it once
    for index in range(header_row + 1, len(frame)):
        values = {s.COLUMN_FIELDS[h]: _text(frame.iat[index, p]) for p, h in columns.items()}
        if any(values.values()):
            result.rows.append(SheetRow(index + 1, values))
    result.problems += _merges_and_formulas(content, sheet, header_row + 1, columns)
    return result


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return typed_text(value)


def _cover_code(book: pd.ExcelFile, sheet: str) -> str:
    # A dozen label/value pairs: read straight from calamine, a DataFrame would only add cost.
    rows = book.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=COVER_ROWS)
    wanted = fold(s.COVER_ORG_CODE)
    for row in rows:
        if len(row) >= 2 and fold(row[0]) == wanted:
            return _text(None if row[1] == "" else row[1])
    return ""


def _find_headers(frame: pd.DataFrame) -> tuple[int | None, dict[int, str]]:
    """The row naming most headers among the first rows, and each of its columns' header."""
    best_row, best_hits = None, 0
    for index, row in enumerate(frame.head(HEADER_SEARCH_ROWS).to_numpy(dtype=object)):
        hits = sum(fold(v) in _FOLDED_HEADERS for v in row)
        if hits > best_hits:
            best_row, best_hits = index, hits
    if best_row is None:
        return None, {}
    columns: dict[int, str] = {}
    for position, value in enumerate(frame.iloc[best_row]):
        header = _FOLDED_HEADERS.get(fold(value))
        if header is not None and header not in columns.values():
            columns[position] = header
    return best_row, columns


def _missing_sheet(book: pd.ExcelFile) -> Problem:
    if not book.sheet_names:
        return Problem("文件已损坏：工作簿中没有任何工作表", RESAVE)
    others = "、".join(f"「{n}」" for n in book.sheet_names)
    return Problem(f"找不到工作表「{s.SHEET}」（工作簿中的工作表：{others}）",
                   f"请使用下发的清理表，不要修改工作表名称；如已改名，请改回「{s.SHEET}」", sheet=s.SHEET)


# A cell element that is not self-closing and holds an <f> before it ends; a merged range.
_FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>/]*>(?:(?!</c>).)*?<f\b', re.S)
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _merges_and_formulas(content: bytes, sheet: str, header_row: int, columns: dict[int, str]) -> list[Problem]:
    """Merged cells and formulas below the header, from the sheet's XML: calamine puts a merged value
    in its first cell only and reads a formula's cached value, which may be stale or missing."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        xml = archive.read(sheet_parts(archive)[sheet])
    except (KeyError, zipfile.BadZipFile):
        return []
    header_of = {get_column_letter(p + 1): h for p, h in columns.items()}
    problems = []
    for left, top, right, bottom in _MERGE.findall(xml):
        if int(bottom) > header_row:
            span = f"{left.decode()}{top.decode()}:{right.decode()}{bottom.decode()}"
            problems.append(Problem(f"单元格 {span} 是合并单元格", "请取消合并，在每一行分别填写完整内容", sheet=s.SHEET,
                                    row=int(top), column=header_of.get(left.decode(), left.decode())))
    problems += [Problem(f"单元格 {col.decode()}{row.decode()} 使用了公式",
                         "请直接填写内容，不要使用公式（可复制后「选择性粘贴-数值」）", sheet=s.SHEET, row=int(row),
                         column=header_of.get(col.decode(), col.decode()))
                 for col, row in _FORMULA_CELL.findall(xml) if int(row) > header_row]
    return problems


def is_certificates_workbook(content: bytes) -> bool:
    """Whether an attachment is a certificate ledger, from its sheet list alone.

    Reads only xl/workbook.xml (size-checked first), so deciding where a reply goes never expands
    an untrusted file; the full safety checks follow either way.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entry = archive.getinfo("xl/workbook.xml")
        if entry.file_size > 1 << 20:
            return False
        return _LEDGER_SHEET.search(archive.read(entry)) is not None
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, NotImplementedError, RuntimeError, EOFError):
        return False
