"""Rendering the registry for a person at a terminal."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from rules.obligations import LATE, STANDING_NAMES, Standing

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


def print_status(console: Console, report: dict) -> None:
    console.print(f"[bold]{report['campaign']['name']}[/]　截至 {report['as_of']}")

    phases = Table(title="阶段与期限", show_lines=False)
    for header in ("代码", "阶段", "原文", "截止日期", "依据"):
        phases.add_column(header)
    for p in report["phases"]:
        phases.add_row(p["code"], p["name"], p["source_phrase"] or "—", p["deadline"] or "开启后计算",
                       p["deadline_reason"])
    console.print(phases)

    tasks = Table(title=f"任务分解（{len(report['tasks'])} 项）")
    for header in ("序号", "工作任务", "牵头", "时间进度"):
        tasks.add_column(header)
    for t in report["tasks"]:
        timing = t["timing"] + (f"（督导周期：{t['cadence']}）" if t["cadence"] else "")
        tasks.add_row(str(t["number"]), t["title"], "、".join(t["lead"]) or "各部门", timing)
    console.print(tasks)

    order = list(Standing)
    counts = Counter((o["phase"], o["standing"]) for o in report["obligations"])
    summary = Table(title="各阶段事项进展")
    summary.add_column("阶段")
    for standing in order:
        summary.add_column(STANDING_NAMES[standing], justify="right", style=STANDING_STYLE[standing])
    for p in report["phases"]:
        if any(phase == p["code"] for phase, _ in counts):
            summary.add_row(p["name"], *(str(counts[(p["code"], s)]) for s in order))
    console.print(summary)

    attention = [o for o in report["obligations"] if o["standing"] in (Standing.NEAR_DUE, Standing.DUE, *LATE)]
    if attention:
        table = Table(title="需要关注的事项")
        for header in ("编号", "单位", "阶段", "期限", "状态"):
            table.add_column(header)
        for o in attention:
            standing = Standing(o["standing"])
            table.add_row(str(o["id"]), o["org_name"], o["phase"], o["due"],
                          f"[{STANDING_STYLE[standing]}]{STANDING_NAMES[standing]}[/]")
        console.print(table)


def print_calendar_year(console: Console, summary: CalendarYearSummary) -> None:
    table = Table(title=f"{summary.year} 年工作日历（工作日 {summary.working_days} 天）")
    for header in ("日期", "星期", "安排", "名称"):
        table.add_column(header)
    for day in summary.exceptions:
        kind = "[green]调休上班[/]" if day.working else "[red]放假[/]"
        table.add_row(day.day.isoformat(), WEEKDAYS[day.day.weekday()], kind, day.name)
    console.print(table)
