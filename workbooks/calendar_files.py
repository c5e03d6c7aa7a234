"""Reading and writing working-day calendar files.

Two shapes are accepted, because the data arrives in two ways:
- the notice form (YAML): the year's days off and make-up working days, as the State
  Council notice lists them — what maintainers write when a new notice is published;
- a per-day table (.csv or .xlsx: 日期, 是否工作日, 名称) — what an office exports from
  its own system. A table must cover whole years: a missing day would otherwise be
  filled in by the weekend rule, which is a guess.

Every problem found in a file is reported at once, each naming file, entry or row, and field.
"""
from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError
from core.problems import Problem
from rules.calendar import CalendarYear, calendar_year_from_days

DATE_COLUMN = "日期"
WORKING_COLUMN = "是否工作日"
NAME_COLUMN = "名称"
_YES, _NO = "是", "否"

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


# Calendar messages name what is allowed; the remedy is the same for each.
FIX = "请修改日历文件后重新导入"


def _problem(file: str, what: str, *, place: str = "", row: int | None = None, field: str = "") -> Problem:
    """A problem in `file`: at a table `row` or at `place` (a year, an entry, a YAML line), in `field`."""
    return Problem(what, FIX, row=row, column=field, file=file, place=place, line=row or 0)


def describe(problem: Problem) -> str:
    """日历文件 2027.yaml holidays 第 3 条 date：日期 2027-10-01 重复出现（已见于 holidays 第 1 条）"""
    location = problem.place or (f"第 {problem.row} 行" if problem.row else "")
    return f"日历文件 {problem.file}" + "".join(f" {x}" for x in (location, problem.column) if x) + f"：{problem.what}"


class CalendarFileError(UserError, ValueError):
    """Bad calendar file. `problems` lists every problem; str() words them all on one line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("；".join(describe(p) for p in self.problems))


def _parse_date(value: Any) -> date | None:
    """A date from a YAML/xlsx value or text like 2016-10-01 / 2016/10/1 / 2016年10月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        m = _DATE_TEXT.match(value)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


class _DatesAsTextLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text: PyYAML raises a bare ValueError on 2027-13-01,
    and we want to name the entry instead."""


_DatesAsTextLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def read_calendar_file(path: str | Path) -> list[CalendarYear]:
    """All years a calendar file holds, or CalendarFileError listing every problem."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _read_yaml(p)
    if suffix == ".csv":
        return _read_table(p, _csv_rows(p))
    if suffix == ".xlsx":
        return _read_table(p, _xlsx_rows(p))
    raise CalendarFileError([_problem(p.name, f"不支持的文件类型 {p.suffix or '（无扩展名）'}，应为 .yaml、.csv 或 .xlsx")])


# --- notice form (YAML) ---------------------------------------------------------


def _read_yaml(p: Path) -> list[CalendarYear]:
    try:
        loaded = yaml.load(p.read_text(encoding="utf-8"), Loader=_DatesAsTextLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行" if mark is not None else ""
        raise CalendarFileError([Problem("不是有效的 YAML", FIX, file=p.name, place=where,
                                         line=mark.line + 1 if mark is not None else 0)]) from None
    except UnicodeDecodeError:
        raise CalendarFileError([_problem(p.name, "不是 UTF-8 编码的文本")]) from None
    documents = loaded if isinstance(loaded, list) else [loaded]
    problems: list[Problem] = []
    years: list[CalendarYear] = []
    seen_years: dict[int, str] = {}
    for k, doc in enumerate(documents, start=1):
        place = f"第 {k} 个年度" if len(documents) > 1 else ""
        cy = _year_from_document(doc, p.name, place, problems)
        if cy is None:
            continue
        if cy.year in seen_years:
            problems.append(_problem(p.name, f"{cy.year} 年已在{seen_years[cy.year]}出现", place=place, field="year"))
            continue
        seen_years[cy.year] = f"日历文件 {p.name}" + (f" {place}" if place else "")
        years.append(cy)
    if problems:
        raise CalendarFileError(problems)
    return years


def _year_from_document(doc: Any, file: str, place: str, problems: list[Problem]) -> CalendarYear | None:
    """One year of the notice form; `place` names the year when a file holds several."""
    if not isinstance(doc, dict):
        problems.append(_problem(file, "应为含 year、holidays、workdays 的映射", place=place))
        return None
    year = doc.get("year")
    if year is None:
        problems.append(_problem(file, "缺少年份", place=place, field="year"))
        return None
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(_problem(file, f"年份 {year} 不是整数", place=place, field="year"))
        return None
    before = len(problems)
    listed: dict[date, str] = {}  # date -> where it was first listed, to name both places
    sections: dict[str, dict[date, str]] = {}
    for section in ("holidays", "workdays"):
        sections[section] = {}
        entries = doc.get(section) or []
        if not isinstance(entries, list):
            problems.append(_problem(file, "应为列表", place=place, field=section))
            continue
        for i, entry in enumerate(entries, start=1):
            where = " ".join(x for x in (place, f"{section} 第 {i} 条") if x)

            def problem(what: str, where: str = where) -> None:
                problems.append(_problem(file, what, place=where, field="date"))

            if not isinstance(entry, dict):
                problems.append(_problem(file, "应写成 {date: 日期, name: 名称}", place=where))
                continue
            raw = entry.get("date")
            if raw is None:
                problem("缺少日期")
                continue
            d = _parse_date(raw)
            if d is None:
                problem(f"日期 {_show(raw)} 无法识别，应形如 {year}-10-01")
                continue
            if d.year != year:
                problem(f"日期 {d.isoformat()} 不在 {year} 年内")
                continue
            if d in listed:
                problem(f"日期 {d.isoformat()} 重复出现（已见于 {listed[d]}）")
                continue
            listed[d] = f"{section} 第 {i} 条"
            name = entry.get("name")
            sections[section][d] = "" if name is None else str(name)
    source = doc.get("source")
    if len(problems) > before:
        return None
    return CalendarYear(
        year=year,
        holidays=sections["holidays"],
        workdays=sections["workdays"],
        source="" if source is None else str(source),
    )


# --- per-day table (.csv / .xlsx) -------------------------------------------------


def _csv_rows(p: Path) -> list[list[Any]]:
    raw = p.read_bytes()
    # Excel writes UTF-8 with a BOM, or GB18030 on Chinese Windows; accept both.
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise CalendarFileError([_problem(p.name, "无法识别文字编码，请另存为 UTF-8 的 CSV")]) from None
    return [list(row) for row in csv.reader(text.splitlines())]


def _xlsx_rows(p: Path) -> list[list[Any]]:
    import openpyxl  # noqa: PLC0415 - with numpy a second of import, which every status would pay

    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a bad file
        raise CalendarFileError([_problem(p.name, "无法作为 Excel (.xlsx) 文件打开")]) from None
    try:
        return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _numbered_rows(rows: list[list[Any]]) -> Iterator[tuple[int, list[Any]]]:
    """Data rows with their spreadsheet row numbers (the header is row 1); blank rows skipped."""
    for n, row in enumerate(rows[1:], start=2):
        if any(_cell_text(v) for v in row):
            yield n, row


def _read_table(p: Path, rows: list[list[Any]]) -> list[CalendarYear]:
    if not rows:
        raise CalendarFileError([_problem(p.name, "文件为空")])
    header = [_cell_text(v) for v in rows[0]]
    missing = [c for c in (DATE_COLUMN, WORKING_COLUMN) if c not in header]
    if missing:
        raise CalendarFileError([_problem(p.name, "缺少此列", row=1, field=c) for c in missing])
    i_date, i_working = header.index(DATE_COLUMN), header.index(WORKING_COLUMN)
    i_name = header.index(NAME_COLUMN) if NAME_COLUMN in header else None

    def cell(row: list[Any], i: int | None) -> Any:
        return row[i] if i is not None and i < len(row) else None

    problems: list[Problem] = []
    by_year: dict[int, dict[date, tuple[bool, str]]] = {}
    row_of: dict[date, int] = {}
    for n, row in _numbered_rows(rows):
        raw_date = cell(row, i_date)
        d = _parse_date(raw_date)
        if d is None:
            problems.append(_problem(p.name, f"日期 “{_show(_cell_text(raw_date))}” 无法识别，应形如 2016-10-01",
                                     row=n, field=DATE_COLUMN))
        elif d in row_of:
            problems.append(_problem(p.name, f"日期 {d.isoformat()} 与第 {row_of[d]} 行重复", row=n, field=DATE_COLUMN))
            d = None
        else:
            row_of[d] = n  # present even if its flag is bad: report the flag, not a gap
        flag = _cell_text(cell(row, i_working))
        if flag not in (_YES, _NO):
            problems.append(_problem(p.name, f"值 “{flag}” 无法识别，应为“{_YES}”或“{_NO}”", row=n, field=WORKING_COLUMN))
        elif d is not None:
            by_year.setdefault(d.year, {})[d] = (flag == _YES, _cell_text(cell(row, i_name)))
    for year in sorted({day.year for day in row_of}):
        first_missing, count = _missing_days(year, row_of)
        if first_missing is not None:
            problems.append(_problem(
                p.name,
                f"{year} 年不完整，缺少 {first_missing.isoformat()}" + (f" 等 {count} 天" if count > 1 else "")
                + "（日历表须列出该年每一天）",
                field=DATE_COLUMN,
            ))
    if problems:
        raise CalendarFileError(problems)
    if not by_year:
        raise CalendarFileError([_problem(p.name, "没有任何日期行")])
    return [calendar_year_from_days(y, days, source=p.name) for y, days in sorted(by_year.items())]


def _missing_days(year: int, days: dict[date, Any]) -> tuple[date | None, int]:
    first = date(year, 1, 1)
    n_days = (date(year, 12, 31) - first).days + 1
    missing = [first + timedelta(days=k) for k in range(n_days) if first + timedelta(days=k) not in days]
    return (missing[0] if missing else None), len(missing)


# --- writing ---------------------------------------------------------------------

_PLAIN = re.compile(r"^[\w\u4e00-\u9fff（）()、·\-]+$")


def _scalar(text: str) -> str:
    """Plain when it is safe in a YAML flow mapping, else a double-quoted (JSON) string."""
    # The round-trip check catches words YAML would read as something else (yes, null, 2016).
    if text and _PLAIN.match(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def write_calendar_yaml(path: str | Path, year: CalendarYear, comment: str = "") -> None:
    """Write one year in the notice form; `comment` (e.g. provenance) goes on top as # lines."""
    lines = [f"# {c}" if c else "#" for c in comment.splitlines()]
    lines += [f"year: {year.year}", f"source: {_scalar(year.source)}"]
    for section, days in (("holidays", year.holidays), ("workdays", year.workdays)):
        if not days:
            lines.append(f"{section}: []")
            continue
        lines.append(f"{section}:")
        lines += [f"  - {{date: {d.isoformat()}, name: {_scalar(days[d])}}}" for d in sorted(days)]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
