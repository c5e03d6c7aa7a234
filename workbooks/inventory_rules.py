"""Validating a parsed inventory: every problem at once (一次性告知), in Chinese, with where and how.

Pure: takes the parser's tables, returns problems and clean rows; no database, no mail. Checks run
column by column over plain lists, each function once per distinct value of a column, so that
100,000 rows take about a second and 200 rows less than the reading of their workbook.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from core.problems import Problem
from rules.cell_text import fold, refusal, shown, typed_text
from workbooks import inventory_schema as s
from workbooks.inventory_parse import ItemRows, ParsedInventory

# Past this many, a receipt stops listing (the count stays exact): nobody reads 10,000 lines, and a
# workbook that wrong is usually one systematic mistake the first lines already show.
MAX_LISTED = 2000
_DATE_TEXT = re.compile(r"^\d{4}\s*(?:[-/.年])\s*\d{1,2}\s*(?:[-/.月])\s*\d{1,2}\s*日?$")
_AUDIENCE_SPLIT = re.compile(r"[、,，;；/\s]+")
_DAYS_SUFFIX = re.compile(r"(个)?工作日$")


@dataclass
class Validation:
    zero_report: bool = False
    items: list[dict] = field(default_factory=list)  # SubmittedItem columns, plus "row"
    problems: list[Problem] = field(default_factory=list)  # at most MAX_LISTED
    problem_count: int = 0

    @property
    def accepted(self) -> bool:
        return self.problem_count == 0


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)

    def rows(self, mask: list[bool], rows: list[int], column: str, what, fix: str,
             values: list | None = None) -> None:
        """One problem per row where ``mask`` holds; ``what`` may be a function of the cell's value."""
        if not any(mask):
            return  # the usual case
        hits = [i for i, hit in enumerate(mask) if hit]
        self.count += len(hits)
        room = MAX_LISTED - len(self.problems)
        if room <= 0:
            return
        for i in hits[:room]:
            text = what(values[i] if values is not None else rows[i]) if callable(what) else what
            self.problems.append(Problem(text, fix, sheet=s.ITEM_SHEET, row=rows[i], column=column))


def validate_inventory(parsed: ParsedInventory, max_rows: int = 100_000,
                       expected_org_code: str | None = None) -> Validation:
    found = _Collector()
    for problem in parsed.problems:
        found.add(problem)
    zero = _check_cover(parsed, found, expected_org_code)
    items = parsed.items
    has_items = items is not None and len(items) > 0
    if zero == "是":
        if has_items:
            found.add(Problem(f"封面选择了零报告，但清单中填写了 {len(items)} 个事项",
                              "有事项的请把零报告改为「否」；确无事项的请删除清单中的内容",
                              sheet=s.COVER_SHEET, row=parsed.cover_rows.get(s.COVER_ZERO), column=s.COVER_ZERO))
        else:
            # A zero report needs no item sheet at all: problems with an empty sheet do not matter.
            return Validation(zero_report=True)
    if items is None:
        return _result(found, [])
    if not has_items:
        if not found.count:
            found.add(Problem("清单中没有填写任何事项",
                              f"请在「{s.ITEM_SHEET}」逐行填写；确无公共服务事项的，请在封面把零报告选为「是」",
                              sheet=s.ITEM_SHEET))
        return _result(found, [])
    if len(items) > max_rows:
        found.add(Problem(f"清单共有 {len(items)} 行，超过每份清单 {max_rows} 行的上限",
                          "请检查是否误粘贴了大量数据或空白格式行；确有如此多事项的，请与市编委办联系分批报送",
                          sheet=s.ITEM_SHEET))
        return _result(found, [])
    clean = _check_items(items, found)
    return _result(found, clean if not found.count else [])


def _result(found: _Collector, items: list[dict]) -> Validation:
    # Read top to bottom, as the department will fix them: whole-file problems first, then by row.
    ordered = sorted(found.problems, key=lambda p: (p.sheet == s.ITEM_SHEET, p.row or p.line))
    return Validation(zero_report=False, items=items, problems=ordered, problem_count=found.count)


def _check_cover(parsed: ParsedInventory, found: _Collector, expected_org_code: str | None) -> str:
    cover = parsed.cover
    zero = "" if cover.get(s.COVER_ZERO) is None else fold(typed_text(cover[s.COVER_ZERO]))
    if zero not in ("", *s.YES_NO):
        found.add(Problem(refusal(cover[s.COVER_ZERO], "，应为「是」或「否」",
                                   lambda v: fold(v) if fold(v) in s.YES_NO else None, "零报告填写为"),
                          "请选择「是」或「否」", sheet=s.COVER_SHEET,
                          row=parsed.cover_rows.get(s.COVER_ZERO), column=s.COVER_ZERO))
    code = fold(cover.get(s.COVER_ORG_CODE))
    if expected_org_code and code and code.lower() != expected_org_code.lower():
        def same(v: str) -> str | None:
            return expected_org_code if fold(v).lower() == expected_org_code.lower() else None

        found.add(Problem(refusal(cover.get(s.COVER_ORG_CODE), f"与报送单位（{expected_org_code}）不符", same,
                                   "封面单位代码为"),
                          "请使用发给本单位的模板；代为报送其他单位清单的，请由该单位自行报送",
                          sheet=s.COVER_SHEET, row=parsed.cover_rows.get(s.COVER_ORG_CODE), column=s.COVER_ORG_CODE))
    filled_on = cover.get(s.COVER_DATE)
    if filled_on is not None and fold(filled_on) and parse_date(filled_on) is None:
        found.add(Problem(refusal(filled_on, "无法识别", lambda v: v if parse_date(v) else None, "填报日期"),
                          "请填写日期，例如 2016-07-20 或 2016年7月20日",
                          sheet=s.COVER_SHEET, row=parsed.cover_rows.get(s.COVER_DATE), column=s.COVER_DATE))
    return zero


def parse_date(value: object) -> date | None:
    """A date typed as a date, or as text in the forms people use (2016-07-20, 2016/7/20, 2016年7月20日)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", fold(value))
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def _per_value(values: list, function) -> list:
    """``function`` applied once per distinct value: a column holds few distinct values even on
    100,000 rows, and a dictionary lookup per cell is far cheaper than calling it per cell."""
    results = {value: function(value) for value in set(values)}
    return [results[value] for value in values]


def _text(items: ItemRows, header: str) -> list[str]:
    if header not in items:
        return [""] * len(items)
    return _per_value(items[header], _cell_text)


def _cell_text(value: object) -> str:
    return "" if value is None else typed_text(value)


def _filled(cells: list) -> list:
    return ["" if v is None else v for v in cells]


def _whole_number(value: object) -> int | str:
    """A whole number >= 1, or why not: "date", "bad" or "" (empty)."""
    if value.__class__ is int:  # the usual case, as the reader gives a number (a bool is no int here)
        return value if value >= 1 else "bad"
    if isinstance(value, date | datetime):
        return "date"
    text = _DAYS_SUFFIX.sub("", fold(typed_text(value)))
    if not text:
        return ""
    if _DATE_TEXT.match(text):
        return "date"
    try:
        number = float(text)
    except ValueError:
        return "bad"
    return int(number) if number.is_integer() and number >= 1 else "bad"


def _equal(values: list, wanted: object) -> list[bool]:
    return [v == wanted for v in values]


def _check_items(items: ItemRows, found: _Collector) -> list[dict]:
    text = {h: _text(items, h) for h in s.HEADERS}
    blank = _numbered_blanks(items, text, found)
    rows = items.rows
    if any(blank):
        keep = [i for i, b in enumerate(blank) if not b]
        items = ItemRows({h: [cells[i] for i in keep] for h, cells in items.columns.items()}, [rows[i] for i in keep])
        text = {h: [t[i] for i in keep] for h, t in text.items()}
        rows = items.rows
    for header in s.REQUIRED:
        if header in items:
            found.rows(_equal(text[header], ""), rows, header, "必填项未填写", f"请填写「{header}」")
    seq = _whole_numbers(items, s.SEQ, rows, found, "请填写从 1 开始的序号")
    days = _whole_numbers(items, s.TIME_LIMIT, rows, found, "请只填工作日天数的整数，例如 5")
    choices = {h: _choice(text, h, options, rows, found) for h, options in
               ((s.KIND, s.KINDS), (s.CATEGORY, s.CATEGORIES), (s.CHARGED, s.YES_NO))}
    audience = _audience(text, rows, found)
    names = text[s.NAME]
    found.rows([len(n) > s.MAX_NAME_LENGTH for n in names], rows, s.NAME, f"事项名称超过 {s.MAX_NAME_LENGTH} 个字",
               "请写事项的规范名称，说明放在「备注」")
    folded = _per_value(names, fold)
    first_row: dict[str, int] = {}
    repeated = []
    for name, row in zip(folded, rows):
        repeated.append(name != "" and name in first_row)
        first_row.setdefault(name, row)
    found.rows(repeated, rows, s.NAME, lambda n: f"与第 {first_row[n]} 行的事项名称重复",
               "同一事项只填一行；确属不同事项的，请在名称中加以区分", values=folded)
    no_basis = [c == "是" and b == "" for c, b in zip(choices[s.CHARGED], text[s.FEE_BASIS])]
    found.rows(no_basis, rows, s.FEE_BASIS, "是否收费为「是」，但未填写收费依据及标准",
               "请写明收费依据（文件名称和文号）及收费标准")
    if found.count:
        return []
    return [
        {"row": r, "seq": q, "name": n, "kind": k, "category": c, "audience": a, "implementer": i,
         "legal_basis": lb, "time_limit_days": d, "charged": ch == "是", "fee_basis": fb, "materials": m,
         "remarks": rm}
        for r, q, n, k, c, a, i, lb, d, ch, fb, m, rm in zip(
            rows, seq, names, choices[s.KIND], choices[s.CATEGORY], audience, text[s.IMPLEMENTER],
            text[s.LEGAL_BASIS], days, choices[s.CHARGED], text[s.FEE_BASIS], text[s.MATERIALS], text[s.REMARKS])
    ]


def _numbered_blanks(items: ItemRows, text: dict[str, list[str]], found: _Collector) -> list[bool]:
    """Rows numbered in advance and never filled: named once per run of rows ("第 12–18 行"), not
    once per empty required cell, and left out of the other checks (the mask says which)."""
    others = [text[h] for h in s.HEADERS if h != s.SEQ and h in items]
    if s.SEQ not in items:
        numbered_only = [False] * len(items)
    elif others:
        numbered_only = [not any(texts) for texts in zip(*others)]  # every other cell ""
    else:
        numbered_only = [True] * len(items)
    for first, last in _runs([row for row, only in zip(items.rows, numbered_only) if only]):
        rows = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
        found.add(Problem(f"{rows}只有序号，其余为空", "请删除这些行，或逐项填写完整", sheet=s.ITEM_SHEET, line=first))
    return numbered_only


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive row numbers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _whole_numbers(items: ItemRows, header: str, rows: list[int], found: _Collector, fix: str) -> list:
    """Whole numbers typed as numbers, as text or in full-width digits ("５", " 5 ", "5个工作日")."""
    if header not in items:
        return [0] * len(items)
    raw = _filled(items[header])
    numbers = _per_value(raw, _whole_number)
    found.rows(_equal(numbers, "date"), rows, header, lambda v: f"填的是日期「{shown(v)}」，这里应填数字", fix,
               values=raw)

    def number(v: str) -> str | None:
        return v if isinstance(_whole_number(v), int) else None

    found.rows(_equal(numbers, "bad"), rows, header, lambda v: refusal(v, "不是正整数", number), fix, values=raw)
    return numbers


def _choice(text: dict, header: str, options: tuple[str, ...], rows: list[int], found: _Collector) -> list[str]:
    canonical = {fold(o): o for o in options}
    chosen = _per_value(text[header], lambda v: canonical.get(fold(v), "" if not v else None))
    found.rows([c is None for c in chosen], rows, header, lambda v: refusal(v, "不是可选的值", lambda u: canonical.get(fold(u))),
               f"请清空单元格后从下拉列表中选择：{'、'.join(options)}", values=text[header])
    return ["" if c is None else c for c in chosen]


def _audience(text: dict, rows: list[int], found: _Collector) -> list[str]:
    """服务对象: one or more of 自然人、法人、其他组织; commas, semicolons and spaces are read as 、."""
    allowed = set(s.AUDIENCES)

    def canonical(value: str) -> str | None:
        if not value:
            return ""
        parts = [p for p in _AUDIENCE_SPLIT.split(fold(value)) if p]
        if not parts or any(p not in allowed for p in parts):
            return None
        return s.AUDIENCE_SEPARATOR.join(a for a in s.AUDIENCES if a in parts)

    values = text[s.AUDIENCE]
    chosen = _per_value(values, canonical)
    found.rows([c is None for c in chosen], rows, s.AUDIENCE, lambda v: refusal(v, "不是可选的服务对象", canonical),
               f"请填写{'、'.join(s.AUDIENCES)}中的一项或几项，多项用顿号「、」分隔", values=values)
    return ["" if c is None else c for c in chosen]


def summarise(items: list[dict]) -> dict:
    """What an accepted receipt reports: counts by category, and items without a legal basis."""
    by_category = {c: 0 for c in s.CATEGORIES}
    for item in items:
        by_category[item["category"]] = by_category.get(item["category"], 0) + 1
    return {
        "total": len(items),
        "by_category": {c: n for c, n in by_category.items() if n},
        "without_basis": [(i["row"], i["name"]) for i in items if not i["legal_basis"]],
    }
