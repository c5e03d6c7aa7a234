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

    years = calendar.import_calendar(database_url(), file)
    console.print(f"已导入工作日历：{'、'.join(map(str, years))} 年")


@app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="年度，例如 2016")]) -> None:
    """列出某年度的节假日、调休上班日和工作日总数。"""
    from registry.calendar import service as calendar  # noqa: PLC0415 - slow import, see reform.common

    print_calendar_year(console, calendar.calendar_year(database_url(), year))
