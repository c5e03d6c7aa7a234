"""`reform district open|template|list` and `reform report weekly`: the districts' campaigns and the city's roll-up."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reform.common import AsOf, Format, OutputFormat, console, database_url, day_or_today, print_json, writable_target

app = typer.Typer(help="区、县（市）和行业主管部门的工作方案：开启、模板、全市汇总。", no_args_is_help=True)
report_app = typer.Typer(help="报送市政府的通报。", no_args_is_help=True)

STANDING_WORDS = {"done": "完成", "yellow": "黄牌", "red": "红牌", "due": "今日到期", "near_due": "临近", "on_track": "正常"}


@app.command("open")
def district_open(
    code: Annotated[str, typer.Argument(help="区县代码（GB/T 2260，例如 210102）或简称；行业主管部门用其单位代码")],
    plan: Annotated[Path | None, typer.Option("--plan", help="区县修改过期限的方案文件（reform district template 生成）")] = None,
    on: AsOf = None,
) -> None:
    """开启一个区县（或行业主管部门）的工作方案：按模板（或 --plan 文件）建立各阶段，并向各部门发出清理自查通知。"""
    from registry.districts import service as districts  # noqa: PLC0415 - slow import, see reform.common

    day = day_or_today(on)
    opened = districts.open_campaign(database_url(), code, day, datetime.combine(day, datetime.now().time()), plan)
    if opened["directory_loaded"]:
        console.print(f"{opened['name']}目录为空，已载入示例目录 {opened['directory_loaded']} 个单位。", highlight=False)
    console.print(f"已开启{opened['name']}的工作方案 {opened['campaign']}：义务 {opened['obligations']} 项，"
                  f"通知 {opened['called']} 个单位（reform intake 或 reform serve 发出）。", highlight=False, soft_wrap=True)


@app.command("template")
def district_template(
    code: Annotated[str, typer.Argument(help="区县代码或简称")],
    out: Annotated[Path, typer.Option("--out", help="写到哪个文件（.yaml）")],
) -> None:
    """写出一个区县的方案文件（由市级方案派生），供区县编委办修改期限后用 reform district open --plan 开启。"""
    from registry.districts import service as districts  # noqa: PLC0415 - slow import, see reform.common

    writable_target(out)
    out.write_text(districts.plan_template(database_url(), code), encoding="utf-8")
    console.print(f"已写出 {out}", highlight=False)


@app.command("list")
def district_list(as_of: AsOf = None, output: Format = OutputFormat.TABLE) -> None:
    """每个区县一行：方案、各阶段进展（完成/总数、黄牌红牌）、清单是否已公布，未公布的写明原因。"""
    from registry.districts import service as districts  # noqa: PLC0415 - slow import, see reform.common

    entries = districts.district_list(database_url(), day_or_today(as_of))
    if output is OutputFormat.JSON:
        print_json(entries)
        return
    table = Table("代码", "区县", "方案", "各阶段（完成/总数）", "公布")
    for e in entries:
        phases = "；".join(_phase_text(p) for p in e["phases"] if p["total"]) or "—"
        published = f"第 {e['published']} 版" if e["published"] else f"未公布：{e['why_not_published']}"
        table.add_row(e["code"], e["name"], e["campaign"] or "未开启", phases, published)
    console.print(table)


def _phase_text(phase: dict) -> str:
    late = sum(phase["standings"].get(s, 0) for s in ("yellow", "red"))
    return f"{phase['name']} {phase['done']}/{phase['total']}" + (f"（黄红牌 {late}）" if late else "")


@report_app.command("weekly")
def report_weekly(
    out: Annotated[Path, typer.Option("--out", help="通报工作簿（.xlsx）")],
    as_of: AsOf = None,
) -> None:
    """写出本周进展通报：每个区县和市直部门对照各阶段的红黄绿灯、各区县完成率图表，A4 横向打印。"""
    from registry.districts import service as districts  # noqa: PLC0415 - slow import, see reform.common

    writable_target(out)
    day: date = day_or_today(as_of)
    written = districts.weekly_report(database_url(), day, out)
    console.print(f"已写出 {day} 进展通报：区县 {written['districts']} 个（已公布 {written['published']} 个），"
                  f"市直部门 {written['departments']} 个 → {out}", highlight=False, soft_wrap=True)
