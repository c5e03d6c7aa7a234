"""A long-term task's self-report (自查报告): which indicators each task reports, and the checks of a
returned report, all at once. Pure: no I/O.

The registry pre-fills each indicator's 系统统计值 from what it knows; the unit writes its own figure
beside it (本单位填报值) and the three parts of its narrative. A report for another unit, task or
period, a figure written as words, a narrative part left empty or an indicator row removed or
renamed is refused, every one of them in the same receipt.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.problems import Problem
from rules.cell_text import fold, refusal

COVER_SHEET = "封面"
INDICATOR_SHEET = "指标填报"
NARRATIVE_SHEET = "工作情况"
INSTRUCTIONS_SHEET = "填报说明"

COVER_ORG_CODE = "单位代码"
COVER_TASK = "任务"
COVER_PERIOD = "报告期"

# The indicators sheet's columns, in order.
SEQ, LABEL, UNIT, SYSTEM, REPORTED, NOTE = "序号", "指标", "单位", "系统统计值", "本单位填报值", "说明"
HEADERS = (SEQ, LABEL, UNIT, SYSTEM, REPORTED, NOTE)

# The narrative sheet: one row per part, every part required.
PROGRESS, ISSUES, NEXT_STEPS = "工作进展", "存在问题", "下一步打算"
NARRATIVE = (PROGRESS, ISSUES, NEXT_STEPS)
NARRATIVE_HEADERS = ("栏目", "内容")

PERCENT = "%"


@dataclass(frozen=True)
class IndicatorDef:
    key: str
    label: str
    unit: str  # 个 | 项 | 个工作日 | %


INDICATORS = {d.key: d for d in (
    IndicatorDef("items", "公布的公共服务事项", "项"),
    IndicatorDef("guides", "审核通过的办事指南", "个"),
    IndicatorDef("cancelled", "取消的证明", "项"),
    IndicatorDef("shared", "信息共享替代的证明", "项"),
    IndicatorDef("committed", "实行告知承诺的证明", "项"),
    IndicatorDef("days_cut", "承诺时限比法定时限压缩", "个工作日"),
    IndicatorDef("online", "可网上办理的事项", "项"),
    IndicatorDef("online_share", "网上可办事项占比", PERCENT),
    IndicatorDef("zero_visits", "零跑动的事项", "项"),
)}

GENERAL = ("items", "guides", "cancelled")
# Which indicators each long-term task reports: its own subject first, then what shows it at work.
TASK_INDICATORS: dict[int, tuple[str, ...]] = {
    5: ("items", "shared", "cancelled"),
    6: ("items", "committed", "cancelled"),
    7: ("items", "guides", "days_cut"),
    8: ("items", "guides", "zero_visits"),
    10: ("shared", "cancelled"),
    11: ("shared", "zero_visits"),
    12: ("items", "online", "online_share", "zero_visits"),
}


def task_indicators(task_number: int) -> tuple[IndicatorDef, ...]:
    return tuple(INDICATORS[k] for k in TASK_INDICATORS.get(task_number, GENERAL))


@dataclass(frozen=True)
class Figures:
    """What the registry knows, city-wide or for one unit: the newest approved list, the agreed
    guides and the decided certificates."""

    items: int = 0
    guides: int = 0
    cancelled: int = 0
    shared: int = 0
    committed: int = 0
    days_cut: int = 0
    online: int = 0
    zero_visits: int = 0

    def value(self, key: str) -> float:
        if key == "online_share":
            return round(100 * self.online / self.items, 1) if self.items else 0.0
        return getattr(self, key)


def indicator_rows(task_number: int, figures: Figures) -> list[dict]:
    """The indicators the task's report carries, pre-filled: what an obligation's scope keeps."""
    return [{"key": d.key, "label": d.label, "unit": d.unit, "value": figures.value(d.key)}
            for d in task_indicators(task_number)]


def task_label(task_number: int, task_title: str) -> str:
    return f"第{task_number}项 {task_title}"


@dataclass(frozen=True)
class Expected:
    """What the report for one obligation must be: whose, for which task and period, which indicators."""

    org_code: str
    task_number: int
    period: str
    indicators: tuple[Mapping, ...]  # indicator_rows() entries


@dataclass(frozen=True)
class SheetRow:
    row: int  # as Excel numbers it
    values: Mapping[str, str]  # header -> the text as typed


@dataclass
class ReportSheets:
    """A returned report as read: cover label -> text, the indicator rows, narrative part -> (row, text)."""

    cover: dict[str, str] = field(default_factory=dict)
    indicators: list[SheetRow] = field(default_factory=list)
    narrative: dict[str, tuple[int, str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # the file's own: a sheet or header missing


@dataclass
class ReportCheck:
    problems: list[Problem]
    values: list[dict]  # per indicator: key, label, unit, system, reported, note
    narrative: dict[str, str]

    @property
    def accepted(self) -> bool:
        return not self.problems


def check_report(sheets: ReportSheets, expected: Expected) -> ReportCheck:
    problems = list(sheets.problems)
    problems += _cover(sheets.cover, expected)
    # A missing sheet is told once, by the parser, not once per row or part.
    broken = {p.sheet for p in sheets.problems}
    values, found = ([], False) if INDICATOR_SHEET in broken else _indicators(sheets.indicators, expected, problems)
    narrative = {}
    parts = () if NARRATIVE_SHEET in broken else NARRATIVE
    for part in parts:
        row, text = sheets.narrative.get(part, (None, ""))
        if row is None:
            problems.append(Problem(f"缺少栏目「{part}」", f"请按下发的报告恢复「{part}」这一行并填写",
                                    sheet=NARRATIVE_SHEET, column=part))
        elif not text.strip():
            problems.append(Problem(f"「{part}」未填写", f"请简要写明本报告期的{part}", sheet=NARRATIVE_SHEET,
                                    row=row, column=NARRATIVE_HEADERS[1]))
        narrative[part] = text.strip()
    return ReportCheck(problems, values if found else [], narrative)


def _cover(cover: Mapping[str, str], expected: Expected) -> list[Problem]:
    if not cover:
        return []
    problems = []
    code = cover.get(COVER_ORG_CODE, "")
    if fold(code) != fold(expected.org_code):
        problems.append(Problem(f"封面的{COVER_ORG_CODE}「{code}」不是本单位的（应为 {expected.org_code}）",
                                "请使用发给本单位的自查报告，不要代其他单位报送", sheet=COVER_SHEET, column=COVER_ORG_CODE))
    task = cover.get(COVER_TASK, "")
    match = re.search(r"第\s*(\d+)\s*项", fold(task))
    if match is None or int(match.group(1)) != expected.task_number:
        problems.append(Problem(f"封面的{COVER_TASK}「{task}」不是本次要求报送的第{expected.task_number}项",
                                f"每项任务单独报送；请回复第{expected.task_number}项的通知邮件，附该项的自查报告",
                                sheet=COVER_SHEET, column=COVER_TASK))
    period = cover.get(COVER_PERIOD, "")
    if fold(period).upper() != fold(expected.period).upper():
        problems.append(Problem(f"封面的{COVER_PERIOD}「{period}」不是本次要求报送的 {expected.period}",
                                f"请填写 {expected.period} 的自查报告；其他报告期的报告请回复该期的通知邮件",
                                sheet=COVER_SHEET, column=COVER_PERIOD))
    return problems


def _indicators(rows: Sequence[SheetRow], expected: Expected, problems: list[Problem]) -> tuple[list[dict], bool]:
    wanted = {fold(i["label"]): i for i in expected.indicators}
    seen: dict[str, SheetRow] = {}
    for row in rows:
        label = row.values.get(LABEL, "")
        key = fold(label)
        if key not in wanted:
            problems.append(Problem(f"指标「{label}」不在本报告的指标中", "请勿改写、增加指标名称；按下发的报告恢复原样",
                                    sheet=INDICATOR_SHEET, row=row.row, column=LABEL))
        elif key in seen:
            problems.append(Problem(f"指标「{label}」出现了两次（另见第 {seen[key].row} 行）", "每个指标只填一行",
                                    sheet=INDICATOR_SHEET, row=row.row, column=LABEL))
        else:
            seen[key] = row
    values = []
    for key, indicator in wanted.items():
        row = seen.get(key)
        if row is None:
            problems.append(Problem(f"缺少指标「{indicator['label']}」（行被删除或指标名称被改动）",
                                    f"请按下发的报告恢复「{indicator['label']}」这一行", sheet=INDICATOR_SHEET,
                                    column=LABEL))
            continue
        reported = reported_value(row.values.get(REPORTED, ""), indicator["unit"])
        if isinstance(reported, str):
            problems.append(Problem(reported, _fix(indicator["unit"]), sheet=INDICATOR_SHEET, row=row.row,
                                    column=REPORTED))
            continue
        values.append({"key": indicator["key"], "label": indicator["label"], "unit": indicator["unit"],
                       "system": indicator["value"], "reported": reported, "note": row.values.get(NOTE, "").strip()})
    return values, len(values) == len(wanted)


def _fix(unit: str) -> str:
    if unit == PERCENT:
        return "请填写 0 到 100 之间的数字（如 85 或 85.5），不要写文字"
    return f"请填写阿拉伯数字（单位：{unit}），没有的填 0，不要写文字（如「十七」「若干」）"


_NUMBER = re.compile(r"\d+(\.\d+)?")


def reported_value(text: str, unit: str) -> float | str:
    """The unit's figure (full-width digits and the indicator's own unit after it accepted), or why not."""
    folded = fold(text)
    if not folded:
        return "未填写本单位填报值"
    for suffix in sorted({unit, fold(unit), PERCENT}, key=len, reverse=True):
        if suffix and folded.endswith(suffix) and (suffix != PERCENT or unit == PERCENT):
            folded = folded[: -len(suffix)]
            break
    if not _NUMBER.fullmatch(folded):
        return refusal(text, "不是数字", label="本单位填报值")
    number = float(folded)
    if unit == PERCENT:
        return number if number <= 100 else refusal(text, "超过 100%", label="本单位填报值")
    return number if number.is_integer() else refusal(text, f"不是整数（单位：{unit}）", label="本单位填报值")


def differences(values: Sequence[Mapping]) -> list[Mapping]:
    """The indicators where the unit's figure is not the registry's: named in the receipt and the report."""
    return [v for v in values if float(v["reported"]) != float(v["system"])]


def number_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


_PERIOD = re.compile(r"\d{4}(Q[1-4]|H[12]|-(0[1-9]|1[0-2]))?")


def period_label(text: str) -> str | None:
    """A reporting period as rules.periods labels it (2016Q4, 2016H2, 2016-10, 2016), or None."""
    label = fold(text).upper()
    return label if _PERIOD.fullmatch(label) else None
