"""Rendering the registry for a person at a terminal."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from rules.obligations import LATE, Standing

if TYPE_CHECKING:  # the registry is slow to import, and a view needs only the summary's shape
    from registry.calendar.service import CalendarYearSummary

STANDING_STYLE = {
    Standing.ON_TRACK: "green",
    Standing.NEAR_DUE: "yellow",
    Standing.DUE: "bold yellow",
    Standing.YELLOW: "bold yellow on grey23",
    Standing.RED: "bold red",
    Standing.DONE: "dim",
}
WEEKDAYS = "一二三四五六日"
ATTENTION = {Standing.NEAR_DUE, Standing.DUE, *LATE, "undated"}


CARD_STYLE = {"yellow": "bold black on yellow", "red": "bold white on red"}
# Short column heads, so that the counts fit 80 columns beside the phase codes.
STANDING_HEADS = {Standing.ON_TRACK: "正常", Standing.NEAR_DUE: "临近", Standing.DUE: "到期",
                  Standing.YELLOW: "黄牌", Standing.RED: "红牌", Standing.DONE: "完成"}
UNDATED = "undated"
FILTER_NAMES = {"org": "单位", "phase": "阶段", "standing": "进展", "district": "区县"}


def _table(title: str, *columns: tuple[str, bool], justify: str = "left") -> Table:
    """A table that folds long text and never cuts a code, an id or a date (``True``: kept whole)."""
    table = Table(title=title)
    for n, (header, whole) in enumerate(columns):
        table.add_column(header, no_wrap=whole, overflow="fold", justify="left" if n == 0 else justify)
    return table


def standing_text(o: dict) -> str:
    """The standing as words, a card in its colour (黄牌 yellow, 红牌 red)."""
    if o["card"]:
        return f"[{CARD_STYLE[o['card_colour']]}]{o['standing_name']}[/]"
    if o["standing"] == UNDATED:
        return f"[magenta]{o['standing_name']}[/]"
    return f"[{STANDING_STYLE[Standing(o['standing'])]}]{o['standing_name']}[/]"


def print_status(console: Console, report: dict) -> None:
    console.print(f"[bold]{report['campaign']['name']}[/]　截至 {report['as_of']}")
    filters = report.get("filters") or {}
    if filters:
        console.print("筛选：" + "　".join(f"{FILTER_NAMES[k]} {v}" for k, v in filters.items()))
    else:
        _print_plan(console, report)

    obligations = report["obligations"]
    order = [*Standing, UNDATED] if any(o["standing"] == UNDATED for o in obligations) else list(Standing)
    counts = Counter((o["phase"], o["standing"]) for o in obligations)
    summary = _table("各阶段事项进展", ("阶段", True), *((STANDING_HEADS.get(s, "待定"), True) for s in order),
                     justify="right")
    for p in report["phases"]:
        if any(phase == p["code"] for phase, _ in counts):
            summary.add_row(p["code"], *(str(counts[(p["code"], s)]) for s in order))
    console.print(summary)

    # Unfiltered, what needs attention; filtered, everything the filter chose.
    shown = obligations if filters else [o for o in obligations if o["standing"] in ATTENTION]
    if shown:
        table = _table("筛选出的事项" if filters else "需要关注的事项",
                       ("编号", True), ("单位", False), ("阶段", True), ("期限", True), ("进展", False))
        for o in shown:
            green = "　[green]绿色通道[/]" if o.get("priority") else ""
            table.add_row(str(o["id"]), o["org_short_name"], o["phase"], o["due"], standing_text(o) + green)
        console.print(table)
        console.print("说明一个事项：reform explain 编号", highlight=False)
    elif filters:
        console.print("没有符合筛选条件的事项。")


def _print_plan(console: Console, report: dict) -> None:
    phases = _table("阶段与期限", ("代码", True), ("阶段", False), ("截止日期", True), ("原文与依据", False))
    for p in report["phases"]:
        # Joined by a space: the table wraps there, never inside a date.
        basis = " ".join(part for part in (p["source_phrase"], p["deadline_reason"]) if part) or "—"
        phases.add_row(p["code"], p["name"], p["deadline"] or "开启后计算", basis)
    console.print(phases)

    tasks = _table(f"任务分解（{len(report['tasks'])} 项）", ("序号", True), ("工作任务", False),
                   ("牵头或负责单位", False), ("时间进度", False))
    for t in report["tasks"]:
        timing = t["timing"] + (f"（督导周期：{t['cadence_name']}）" if t["cadence"] else "")
        tasks.add_row(str(t["number"]), t["title"], "、".join(t["units"]), timing)
    console.print(tasks)


def print_calendar_year(console: Console, summary: CalendarYearSummary) -> None:
    glance = summary.glance
    table = _table(f"{summary.year} 年工作日历（工作日 {glance.working_days} 天）",
                   ("日期", True), ("星期", True), ("安排", True), ("名称", False))
    for day in glance.days:
        kind = "[green]调休上班[/]" if day.working else "[red]放假[/]"
        table.add_row(day.day.isoformat(), WEEKDAYS[day.day.weekday()], kind, day.name)
    console.print(table)
    console.print(f"此外周六、周日休息 {glance.plain_weekend_days} 天（不属于任何节假日）。", highlight=False)
    if summary.source:
        console.print(f"依据：{summary.source}", highlight=False)
