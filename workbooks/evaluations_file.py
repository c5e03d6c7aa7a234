"""Reading the hall terminals' evaluation export (CSV or xlsx) into rows of text, all problems at once.

The header set (README "好差评"): 评价时间, 事项编码 or 事项名称 (at least one), 办理单位, 评价等级
are required; 评价内容, 评价人, 联系电话 may be left out. Headers are found in the first row,
compared folded (full-width, spaces). What a row's values mean is checked by the registry, which
knows the units and the approved items; here only the shape of the file.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from python_calamine import CalamineError

from core.problems import Problem
from rules.cell_text import fold

TIME, ITEM_CODE, ITEM_NAME, UNIT, LEVEL = "评价时间", "事项编码", "事项名称", "办理单位", "评价等级"
TEXT, PERSON, PHONE = "评价内容", "评价人", "联系电话"
REQUIRED = (TIME, UNIT, LEVEL)
HEADERS = (TIME, ITEM_CODE, ITEM_NAME, UNIT, LEVEL, TEXT, PERSON, PHONE)
FIELDS = {TIME: "time", ITEM_CODE: "item_code", ITEM_NAME: "item_name", UNIT: "unit", LEVEL: "level",
          TEXT: "text", PERSON: "person", PHONE: "phone"}


@dataclass
class EvaluationFile:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row as shown, field -> text)
    problems: list[Problem] = field(default_factory=list)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(content: bytes) -> list[list[str]]:
    # The terminals' exports are UTF-8 (often with a BOM) or GB18030, as Excel saves CSV in China.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(content.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise ValueError("undecodable")


def _xlsx_rows(content: bytes) -> list[list[object]]:
    book = pd.ExcelFile(io.BytesIO(content), engine="calamine")
    frame = pd.read_excel(book, sheet_name=book.sheet_names[0], header=None, dtype=object)
    return frame.values.tolist()


def read_evaluations(content: bytes, filename: str) -> EvaluationFile:
    """The rows of an export; an unreadable file or a missing header is a problem, never an error."""
    result = EvaluationFile()
    try:
        raw = _csv_rows(content) if filename.lower().endswith(".csv") else _xlsx_rows(content)
    except (CalamineError, zipfile.BadZipFile, ValueError, KeyError, OSError):
        result.problems.append(Problem(f"文件“{filename}”无法读取", "请上传评价器导出的 CSV 或 xlsx 文件", file=filename))
        return result
    if not raw:
        result.problems.append(Problem("文件是空的", f"第 1 行应为表头：{'、'.join(HEADERS)}", file=filename))
        return result
    known = {fold(h): h for h in HEADERS}
    columns = {p: known[fold(v)] for p, v in enumerate(raw[0]) if fold(v) in known}
    present = set(columns.values())
    for header in REQUIRED:
        if header not in present:
            result.problems.append(Problem(f"缺少表头「{header}」", f"第 1 行应为表头：{'、'.join(HEADERS)}",
                                           row=1, column=header, file=filename))
    if ITEM_CODE not in present and ITEM_NAME not in present:
        result.problems.append(Problem("缺少表头「事项编码」或「事项名称」", "至少保留其中一列，用以对应已审定清单中的事项",
                                       row=1, column=ITEM_CODE, file=filename))
    if result.problems:
        return result
    for index, values in enumerate(raw[1:], start=2):
        row = {FIELDS[h]: _text(values[p]) if p < len(values) else "" for p, h in columns.items()}
        if any(row.values()):
            result.rows.append((index, row))
    if not result.rows:
        result.problems.append(Problem("文件中没有评价记录", "表头下每行一条评价", file=filename))
    return result
