"""`reform supervision report`: the period's supervision report (督导检查通报) from the self-reports."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reform.common import AsOf, console, database_url, day_or_today, writable_target

supervision_app = typer.Typer(help="长期推进任务督导：自查报告汇总与督导检查通报。", no_args_is_help=True)


@supervision_app.command("report")
def report(
    period: Annotated[str, typer.Option("--period", help="报告期，如 2016Q4（季度）、2016H2、2016-10、2016")],
    out: Annotated[Path, typer.Option("--out", help="督导检查通报另存为（.xlsx）")],
    as_of: AsOf = None,
) -> None:
    """汇总一个报告期通过校验的自查报告，生成报市政府办公厅的督导检查通报（含各任务图表和未报送单位）。"""
    from registry.self_reports import service as self_reports  # noqa: PLC0415 - slow import, see reform.common

    writable_target(out)
    made = self_reports.supervision_report(database_url(), period, day_or_today(as_of))
    out.write_bytes(made.content)
    late = len(made.unreported)
    console.print(f"{made.period} 督导检查通报已保存为 {out}：{len(made.tasks)} 项任务，"
                  f"未报送 {late} 份" + ("。" if late else "，所有单位均已报送。"))
    for u in made.unreported:
        typer.echo(f"未报送 第{u['task_number']}项 {u['org_name']}（截止 {u['due']}，{u['state']}）")
