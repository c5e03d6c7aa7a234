"""Reading a returned inventory workbook into plain tables, tolerant where a person would be.

python-calamine reads an xlsx about ten times faster than openpyxl; its rows are read as plain
lists, since building a pandas frame cost more than the whole validation that follows. Headers are
matched after Unicode NFKC folding (full-width to half-width) and with every space removed, in any
order; missing or misspelt headers are named.
"""
from __future__ import annotations

import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from core.problems import Problem
from rules.cell_text import fold
from workbooks import inventory_schema as s
from workbooks.package import RESAVE, reader_failure, sheet_parts

HEADER_SEARCH_ROWS = 10
# Text that reads as an empty cell, as it always has (these are the markers pandas' reader took
# for a missing value): a department that writes N/A in a required cell is told to fill it in.
EMPTY_MARKERS = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                           "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})


_FOLDED_HEADERS = {fold(h): h for h in s.HEADERS}


@dataclass
class ItemRows:
    """The item sheet below its header, blank rows left out: each matched column's cells top to
    bottom (None where empty) and the Excel row each row came from."""

    columns: dict[str, list] = field(default_factory=dict)  # canonical header -> cells
    rows: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, header: str) -> bool:
        return header in self.columns

    def __getitem__(self, header: str) -> list:
        return self.columns[header]


@dataclass
class ParsedInventory:
    sheet_names: list[str]
    cover: dict[str, object] = field(default_factory=dict)  # cover label (canonical) -> value
    cover_rows: dict[str, int] = field(default_factory=dict)  # cover label -> Excel row
    items: ItemRows | None = None  # None if the item sheet or its header is missing
    problems: list[Problem] = field(default_factory=list)  # structural: sheet, headers, merges, formulas


def parse_inventory(content: bytes) -> ParsedInventory:
    """Parse a workbook that passed workbooks.safety; unreadable content becomes a problem, not an error."""
    try:
        return _parse(content)
    except (CalamineError, zipfile.BadZipFile):
        # The package check passed, so the damage is inside a part: say which, where it can be told.
        return ParsedInventory([], problems=[reader_failure(content)])


def _parse(content: bytes) -> ParsedInventory:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    names = [sheet.name for sheet in book.sheets_metadata if sheet.typ == SheetTypeEnum.WorkSheet]
    result = ParsedInventory(names)
    by_fold = {fold(name): name for name in names}
    if cover := by_fold.get(fold(s.COVER_SHEET)):
        _read_cover(book, cover, result)
    item_sheet = by_fold.get(fold(s.ITEM_SHEET))
    if item_sheet is None:
        result.problems.append(_missing_item_sheet(names))
        return result
    table = book.get_sheet_by_name(item_sheet).to_python(skip_empty_area=False)
    head = [[_cell(v) for v in row] for row in table[:HEADER_SEARCH_ROWS]]
    header_row, columns, header_problems = _match_headers(head, item_sheet)
    result.problems += header_problems
    result.problems += _merges_and_formulas(content, item_sheet, header_row, columns)
    if header_row is None:
        return result
    positions = list(columns)
    kept, rows = [], []
    for index in range(header_row + 1, len(table)):
        cells = table[index]
        # Text as it is, most cells, without a call per cell; the rest as _cell reads them.
        values = [v if v.__class__ is str and v not in EMPTY_MARKERS else _cell(v) for v in map(cells.__getitem__, positions)]
        if any(v is not None and (v.__class__ is not str or v.strip()) for v in values):  # not a blank row
            kept.append(values)
            rows.append(index + 1)
    by_column = zip(*kept) if kept else ([] for _ in positions)
    result.items = ItemRows({columns[p]: list(cells) for p, cells in zip(positions, by_column)}, rows)
    return result


def _cell(value: object) -> object:
    """A cell as the checks read it: a whole number as an int, a date as a datetime, None for empty."""
    if value.__class__ is str:  # most cells, first
        return None if value in EMPTY_MARKERS else value
    if isinstance(value, float):
        if value != value:  # NaN, the one float unequal to itself
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _read_cover(book: CalamineWorkbook, sheet: str, result: ParsedInventory) -> None:
    rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=200)
    labels = {fold(label): label for label in (s.COVER_ORG, s.COVER_ORG_CODE, s.COVER_ZERO, s.COVER_CONTACT,
                                              s.COVER_PHONE, s.COVER_DATE)}
    # People shorten "零报告（是/否）" to "零报告": match on the label's leading word as well.
    labels.setdefault(fold("零报告"), s.COVER_ZERO)
    for index, row in enumerate(rows):
        if len(row) < 2:
            continue
        canonical = labels.get(fold(row[0]))
        if canonical and canonical not in result.cover:
            result.cover[canonical] = None if row[1] == "" else row[1]
            result.cover_rows[canonical] = index + 1


def _missing_item_sheet(names: list[str]) -> Problem:
    if not names:  # not a renamed sheet: a package without any
        return Problem("文件已损坏：工作簿中没有任何工作表", RESAVE)
    others = "、".join(f"「{n}」" for n in names)
    return Problem(f"找不到工作表「{s.ITEM_SHEET}」（工作簿中的工作表：{others}）",
                   f"请使用下发的模板，不要修改工作表名称；如已改名，请改回「{s.ITEM_SHEET}」",
                   sheet=s.ITEM_SHEET)


def _match_headers(table: list[list], sheet: str) -> tuple[int | None, dict[int, str], list[Problem]]:
    """Find the header row (the one naming most headers in the first rows) and map columns to headers."""
    best_row, best_hits = None, 0
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        hits = sum(fold(v) in _FOLDED_HEADERS for v in row)
        if hits > best_hits:
            best_row, best_hits = index, hits
    if best_row is None:
        return None, {}, [Problem(f"工作表「{sheet}」中找不到表头（应为：{'、'.join(s.HEADERS)}）",
                                  "请使用下发的模板，把表头放在第 1 行，不要删除或改写", sheet=sheet)]
    columns: dict[int, str] = {}
    unknown: dict[int, str] = {}
    problems: list[Problem] = []
    for position, value in enumerate(table[best_row]):
        header = _FOLDED_HEADERS.get(fold(value))
        if header is None:
            if fold(value):
                unknown[position] = str(value).strip()
        elif header in columns.values():
            problems.append(Problem(f"表头「{header}」出现了两次", "请删除重复的一列", sheet=sheet, row=best_row + 1,
                                    column=get_column_letter(position + 1)))
        else:
            columns[position] = header
    for header in (h for h in s.HEADERS if h not in columns.values()):
        guess = _closest(header, unknown)
        if guess is not None:
            position, text = guess
            del unknown[position]
            problems.append(Problem(f"表头「{text}」写错了，应为「{header}」", f"请把表头改为「{header}」",
                                    sheet=sheet, row=best_row + 1, column=get_column_letter(position + 1)))
        else:
            problems.append(Problem(f"缺少表头「{header}」", f"请按模板补上「{header}」这一列", sheet=sheet,
                                    row=best_row + 1, column=header))
    return best_row, columns, problems


def _closest(header: str, unknown: dict[int, str]) -> tuple[int, str] | None:
    scored = [(difflib.SequenceMatcher(None, fold(header), fold(text)).ratio(), position, text)
              for position, text in unknown.items()]
    scored = [entry for entry in scored if entry[0] >= 0.5]
    if not scored:
        return None
    _, position, text = max(scored)
    return position, text


# A cell element that is not self-closing and holds an <f> before it ends.
_FORMULA_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>/]*>(?:(?!</c>).)*?<f\b', re.S)


def _merges_and_formulas(content: bytes, sheet: str, header_row: int | None,
                         columns: dict[int, str]) -> list[Problem]:
    """Merged cells and formulas, read from the sheet's XML (calamine reads only cached values, which
    may be stale or missing, and puts a merged value in the first cell only)."""
    xml = _sheet_xml(content, sheet)
    if xml is None:
        return []
    letters = {get_column_letter(p + 1): h for p, h in columns.items()}
    below_header = (header_row + 1) if header_row is not None else 0
    problems = []
    for left, top, right, bottom in _MERGE.findall(xml):
        if int(bottom) <= below_header:
            continue  # a merged title above the header does no harm
        span = f"{left.decode()}{top.decode()}:{right.decode()}{bottom.decode()}"
        problems.append(Problem(f"单元格 {span} 是合并单元格", "请取消合并，在每一行、每一列分别填写完整内容",
                                sheet=sheet, row=int(top), column=letters.get(left.decode(), left.decode())))
    if _ANY_FORMULA.search(xml):  # not <formula1> of a drop-down: only cell formulas matter
        problems += [Problem(f"单元格 {col.decode()}{row.decode()} 使用了公式",
                             "请直接填写内容，不要使用公式（可复制后「选择性粘贴-数值」）",
                             sheet=sheet, row=int(row), column=letters.get(col.decode(), col.decode()))
                     for col, row in _FORMULA_CELL.findall(xml) if int(row) > below_header]
    return problems


# One pass over the sheet, where two ``in`` tests took two.
_ANY_FORMULA = re.compile(rb"<f[ >]")
_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _sheet_xml(content: bytes, sheet: str) -> bytes | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        return archive.read(sheet_parts(archive)[sheet])
    except (KeyError, zipfile.BadZipFile):
        return None
