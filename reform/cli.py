"""The `reform` command: what a coordinator at the city 编委办 types."""
from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.errors import UserError
from core.settings import get_settings

app = typer.Typer(help="沈阳市简化优化公共服务流程工作方案：任务、期限与督办。", no_args_is_help=True)
directory_app = typer.Typer(help="组织目录：导入、导出。", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历：导入、查看。", no_args_is_help=True)
app.add_typer(directory_app, name="directory")
app.add_typer(calendar_app, name="calendar")

console = Console()


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _fail(message: str) -> None:
    # One line, never wrapped: coordinators paste it into a chat, scripts grep it.
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(2)


def _run(action):
    try:
        return action()
    except UserError as error:
        _fail(str(error))


def _database_url() -> str:
    return get_settings().database_url


@app.command()
def init() -> None:
    """建立或升级数据库，载入工作日历、组织目录和工作方案（重复运行不会改变任何内容）。"""
    from registry.campaign.setup import initialise

    report = _run(lambda: initialise(_database_url()))
    years = "、".join(map(str, report.calendar_years_added)) or "无（均已载入）"
    console.print(f"数据库：{_database_url()}")
    console.print(f"新载入工作日历年度：{years}")
    console.print(f"新增单位：{report.organisations_added}　新开启事项：{report.obligations_opened}")
    console.print(f"工作方案：{report.campaign}　下一步：reform status")


@app.command()
def status(
    as_of: Annotated[str | None, typer.Option("--as-of", help="以哪一天为准（YYYY-MM-DD），默认今天")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="table 或 json")] = OutputFormat.TABLE,
    campaign: Annotated[str | None, typer.Option(help="工作方案代码，默认市级方案")] = None,
) -> None:
    """各阶段期限、任务分解和每个单位每项义务的进展。"""
    from registry.campaign.status import campaign_status
    from registry.db import transaction

    day = _parse_date(as_of) if as_of else date.today()

    def build() -> dict:
        with transaction(_database_url()) as session:
            return campaign_status(session, day, campaign)

    report = _run(build)
    if output is OutputFormat.JSON:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        from reform.status_view import print_status

        print_status(console, report)


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        _fail(f"日期 {text!r} 格式不对，应为 YYYY-MM-DD，例如 2016-07-20")


@directory_app.command("import")
def directory_import(file: Annotated[Path, typer.Argument(help=".yaml 或 .xlsx 目录文件")]) -> None:
    """用文件替换组织目录中的单位和联系人（按代码新增或更新，全部校验通过才写入）。"""
    from registry.db import migrate, transaction
    from registry.directory.store import upsert_directory
    from workbooks.directory_files import read_directory

    records = _run(lambda: read_directory(file))
    migrate(_database_url())
    with transaction(_database_url()) as session:
        added, updated = upsert_directory(session, records)
    console.print(f"已导入 {file}：共 {len(records)} 个单位，新增 {added}，更新 {updated}。")


@directory_app.command("export")
def directory_export(file: Annotated[Path, typer.Argument(help=".yaml 或 .xlsx")]) -> None:
    """把组织目录导出为文件，供修改后再导入。"""
    from registry.db import transaction
    from registry.directory.store import export_directory
    from workbooks.directory_files import write_directory

    with transaction(_database_url()) as session:
        records = export_directory(session)
    _run(lambda: write_directory(file, records))
    console.print(f"已导出 {len(records)} 个单位到 {file}")


@calendar_app.command("import")
def calendar_import(file: Annotated[Path, typer.Argument(help="年度节假日安排（.yaml，或逐日的 .csv/.xlsx）")]) -> None:
    """导入（或替换）某年度的节假日和调休安排。"""
    from registry.calendar.store import store_years
    from registry.db import migrate, transaction
    from workbooks.calendar_files import read_calendar_file

    years = _run(lambda: read_calendar_file(file))
    migrate(_database_url())
    with transaction(_database_url()) as session:
        store_years(session, years)
    console.print(f"已导入工作日历：{'、'.join(str(y.year) for y in years)} 年")


@calendar_app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="年度，例如 2016")]) -> None:
    """列出某年度的节假日、调休上班日和工作日总数。"""
    from reform.status_view import print_calendar_year
    from registry.calendar.store import load_calendar
    from registry.db import transaction

    with transaction(_database_url()) as session:
        calendar = load_calendar(session)
    _run(lambda: print_calendar_year(console, calendar, year))


@app.command()
def demo(
    workspace: Annotated[Path | None, typer.Option(help="演示工作目录，默认新建临时目录")] = None,
) -> None:
    """在模拟时钟上从头运行一遍工作方案（嵌入式 SQLite 和本地 Prefect，无需其他服务）。"""
    from demo.run import run_demo

    _run(lambda: run_demo(console, workspace))


@app.command()
def serve() -> None:
    """常驻运行全部定时流程：每日进展汇总、督办扫描、邮箱收取（需先启动 prefect server 并设置 PREFECT_API_URL）。"""
    from prefect import serve as serve_deployments

    from deployments.all import all_deployments

    serve_deployments(*all_deployments())


# Each capability's commands live in their own module and register here. Imported last: they
# use the helpers above.
from reform import cli_intake, cli_review, cli_supervision  # noqa: E402

for _module in (cli_supervision, cli_intake, cli_review):
    _module.register(app)
