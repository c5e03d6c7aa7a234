"""`reform calendar import|show`: the working-day calendar, 调休 included."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reform.common import console, database_url
from reform.status_view import print_calendar_year

app = typer.Typer(help="工作日历：导入、查看。", no_args_is_help=True)


@app.command("import")
def calendar_import(file: Annotated[Path, typer.Argument(help="年度节假日安排（.yaml，或逐日的 .csv/.xlsx）")]) -> None:
    """导入（或替换）某年度的节假日和调休安排。"""
    from registry.calendar import service as calendar  # noqa: PLC0415 - slow import, see reform.common

    done = calendar.import_calendar(database_url(), file)
    console.print(f"已导入工作日历：{'、'.join(map(str, done.years))} 年")
    for warning in done.warnings:
        # One line each, never wrapped; on stderr, so that a script sees them apart from the result.
        typer.echo(f"警告：{warning}（已照常导入，请与国务院通知核对，改正后重新导入）", err=True)


@app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="年度，例如 2016")]) -> None:
    """列出某年度每个节假日的每一天（含其中的周末）、调休上班日和工作日总数。"""
    from registry.calendar import service as calendar  # noqa: PLC0415 - slow import, see reform.common

    print_calendar_year(console, calendar.calendar_year(database_url(), year))
