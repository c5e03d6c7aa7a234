"""Reading a returned self-report into plain rows for rules.self_reports.

Sheets and headers are found after folding (full-width to half-width, spaces removed); each cell is
read as the text the unit typed. A sheet or header that is missing is named; judging the content is
check_report's work, told all at once. Never raises on a bad file.
"""
from __future__ import annotations

import io
import zipfile

import pandas as pd
from python_calamine import CalamineError

from core.problems import Problem
from rules import self_reports as r
from rules.cell_text import fold, typed_text
from workbooks.package import RESAVE, reader_failure

SHEET_ROWS = 200  # a cover or narrative has a dozen rows; more is not read
INDICATOR_ROWS = 100


def parse_self_report(content: bytes) -> r.ReportSheets:
    """Parse a report (which passed workbooks.safety); an unreadable file becomes a problem."""
    try:
        return _parse(content)
    except (CalamineError, zipfile.BadZipFile, ValueError, KeyError, OSError):
        return r.ReportSheets(problems=[reader_failure(content)])


def _parse(content: bytes) -> r.ReportSheets:
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine")
    by_fold = {fold(name): name for name in book.sheet_names}
    result = r.ReportSheets()
    sheets = {}
    for wanted in (r.COVER_SHEET, r.INDICATOR_SHEET, r.NARRATIVE_SHEET):
        name = by_fold.get(fold(wanted))
        if name is None:
            result.problems.append(_missing_sheet(book, wanted))
        else:
            sheets[wanted] = book.book.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=SHEET_ROWS)
    if r.COVER_SHEET in sheets:
        result.cover = {fold(row[0]): _text(row[1]) for row in sheets[r.COVER_SHEET] if len(row) >= 2 and row[0] != ""}
        result.cover = {label: result.cover.get(fold(label), "") for label in (r.COVER_ORG_CODE, r.COVER_TASK,
                                                                               r.COVER_PERIOD)}
    if r.INDICATOR_SHEET in sheets:
        _read_indicators(sheets[r.INDICATOR_SHEET], result)
    if r.NARRATIVE_SHEET in sheets:
        parts = {fold(p): p for p in r.NARRATIVE}
        for number, row in enumerate(sheets[r.NARRATIVE_SHEET], start=1):
            part = parts.get(fold(row[0])) if row else None
            if part is not None and part not in result.narrative:
                result.narrative[part] = (number, _text(row[1]) if len(row) > 1 else "")
    return result


def _read_indicators(rows: list[list], result: r.ReportSheets) -> None:
    folded = {fold(h): h for h in r.HEADERS}
    header = rows[0] if rows else []
    columns = {p: folded[fold(v)] for p, v in enumerate(header) if fold(v) in folded}
    missing = [h for h in (r.LABEL, r.REPORTED) if h not in columns.values()]
    if missing:
        result.problems += [Problem(f"缺少表头「{h}」", f"请按下发的报告恢复「{h}」这一列，放在第 1 行",
                                    sheet=r.INDICATOR_SHEET, row=1, column=h) for h in missing]
        return
    for number, row in enumerate(rows[1:INDICATOR_ROWS + 1], start=2):
        values = {h: _text(row[p]) if p < len(row) else "" for p, h in columns.items()}
        if values.get(r.LABEL) or values.get(r.REPORTED):
            result.indicators.append(r.SheetRow(number, values))


def _text(value: object) -> str:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return ""
    return typed_text(value)


def _missing_sheet(book: pd.ExcelFile, wanted: str) -> Problem:
    if not book.sheet_names:
        return Problem("文件已损坏：工作簿中没有任何工作表", RESAVE, sheet=wanted)
    others = "、".join(f"「{n}」" for n in book.sheet_names)
    return Problem(f"找不到工作表「{wanted}」（工作簿中的工作表：{others}）",
                   f"请使用下发的自查报告，不要修改工作表名称；如已改名，请改回「{wanted}」", sheet=wanted)
