"""Reading a directory kept in Excel: the sheet found by name, columns found by their headers."""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from core.problems import Problem
from workbooks.directory.checks import RawRow
from workbooks.directory.fields import FIELDS, HEADERS, MAX_ROWS, OPTIONAL_COLUMNS, SHEET_TITLE, cell_text, header_key
from workbooks.directory.problems import directory_problem


def xlsx_rows(path: Path, problems: list[Problem]) -> list[RawRow]:
    file = path.name
    try:
        # Not read_only: its cells cannot tell a typed "=x" string from a formula.
        workbook = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        reason = " ".join(str(exc).split())
        problems.append(directory_problem(file, f"不是有效的 xlsx 文件（{reason}）"))
        return []
    try:
        sheets = {header_key(ws.title): ws for ws in workbook.worksheets}
        sheet = sheets.get(SHEET_TITLE)
        if sheet is None and len(workbook.worksheets) == 1:
            sheet = workbook.worksheets[0]  # a renamed lone sheet is still clearly the directory
        if sheet is None:
            names = "、".join(ws.title for ws in workbook.worksheets)
            problems.append(directory_problem(file, f"找不到工作表「{SHEET_TITLE}」（现有: {names}）"))
            return []
        if sheet.max_row > MAX_ROWS + 1:
            problems.append(directory_problem(file, f"工作表有 {sheet.max_row} 行，超过上限 {MAX_ROWS} 行"))
            return []
        return list(_sheet_rows(sheet, file, problems))
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, file: str, problems: list[Problem]) -> Iterator[RawRow]:
    by_header = {header_key(h): key for key, h, _ in FIELDS}
    header_row = 0
    columns: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 10)):
        texts = [header_key(cell_text(c.value)) for c in row]
        if HEADERS["code"] in texts:
            header_row = row[0].row
            for cell, text in zip(row, texts):
                key = by_header.get(text)
                if key is None:
                    continue  # extra columns such as 备注 are the coordinator's own
                if key in columns:
                    problems.append(directory_problem(
                        file, f"表头重复（第 {get_column_letter(columns[key])} 列和第 {cell.column_letter} 列）",
                        row=header_row, field=HEADERS[key]))
                columns[key] = cell.column
            break
    missing = [HEADERS[k] for k, _, _ in FIELDS if k not in columns and k not in OPTIONAL_COLUMNS]
    if not header_row or missing:
        where = f"第 {header_row or 1} 行（表头）"
        names = "、".join(f"「{m}」" for m in (missing or [HEADERS["code"]]))
        problems.append(directory_problem(file, f"缺少列 {names}", place=where, line=header_row))
        return
    labels = {key: header for key, header, _ in FIELDS}
    for row in sheet.iter_rows(min_row=header_row + 1):
        cells = {key: row[col - 1] for key, col in columns.items() if col - 1 < len(row)}
        values = {key: cell_text(cell.value) for key, cell in cells.items()}
        if not any(values.values()):
            continue  # blank lines between blocks are common and harmless
        number = row[0].row
        raw = RawRow(f"第 {number} 行", number, "", number, values, labels)
        for key, cell in cells.items():
            if cell.data_type == "f":
                problems.append(raw.problem(file, labels[key], "不能是公式，请填写文本"))
                values[key] = ""
        yield raw
