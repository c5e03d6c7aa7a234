"""`reform init`, `reform status` and `reform serve`: setting up the campaign and watching it."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from reform.common import AsOf, Format, OutputFormat, console, database_url, day_or_today, print_json
from reform.status_view import print_status


def init(
    plans: Annotated[Path | None, typer.Option(
        "--plans", file_okay=False, help="载入一个省的示例数据（reform province generate 生成的目录）：各市、区县的目录和工作方案")] = None,
) -> None:
    """建立或升级数据库，载入工作日历、组织目录和工作方案（重复运行不会改变任何内容）。"""
    if plans is not None:
        _init_province(plans)
        return
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    report = campaign.initialise(database_url())
    years = "、".join(map(str, report.calendar_years_added)) or "无（均已载入）"
    console.print(f"数据库：{database_url()}")
    console.print(f"新载入工作日历年度：{years}")
    console.print(f"新增单位：{report.organisations_added}　新开启事项：{report.obligations_opened}")
    console.print(f"工作方案：{report.campaign}　下一步：reform status")


def _init_province(folder: Path) -> None:
    from registry.province import service as province  # noqa: PLC0415 - slow import, see reform.common

    loaded = province.load_province(database_url(), folder)
    counts = province.province_counts(database_url())
    years = "、".join(map(str, loaded.calendar_years_added)) or "无（均已载入）"
    console.print(f"数据库：{database_url()}")
    console.print(f"新载入工作日历年度：{years}")
    console.print(f"{loaded.cities} 个市、{loaded.districts} 个区县：新增单位 {loaded.organisations_added}、"
                  f"工作方案 {loaded.campaigns_added}、事项 {loaded.obligations_opened}（用时 {loaded.seconds} 秒）",
                  highlight=False, soft_wrap=True)
    console.print(f"登记库现有单位 {counts['organisations']}、工作方案 {counts['campaigns']}、未完成事项 "
                  f"{counts['open_obligations']}　下一步：reform status --campaign 方案代码（例如 dalian-2016）",
                  highlight=False, soft_wrap=True)


def status(
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
    campaign: Annotated[str | None, typer.Option(help="工作方案代码，默认市级方案")] = None,
    org: Annotated[str, typer.Option("--org", help="只看某单位（单位代码或简称，例如 jyj、市教育局）")] = "",
    phase: Annotated[str, typer.Option("--phase", help="只看某阶段（阶段代码，例如 inventory）")] = "",
    standing: Annotated[str, typer.Option(
        "--standing", help="只看某种进展：on_track、near_due、due、yellow、red、done、undated；"
                           "open 为未完成的，late 为黄牌和红牌")] = "",
    district: Annotated[str, typer.Option("--district", help="只看某区县及其部门（区划代码或简称，例如 210102、和平区）")] = "",
) -> None:
    """各阶段期限、任务分解和每个单位每项义务的进展（编号、单位、黄牌红牌），可按单位、阶段、进展、区县筛选。"""
    from registry.campaign import service  # noqa: PLC0415 - slow import, see reform.common

    only = service.StatusFilter(org=org, phase=phase, standing=standing, district=district)
    report = service.campaign_status(database_url(), day_or_today(as_of), campaign, only)
    if output is OutputFormat.JSON:
        print_json(report)
    else:
        print_status(console, report)


def serve() -> None:
    """常驻运行全部定时流程：每日进展汇总、督办扫描、邮箱收取（需先启动 prefect server 并设置 PREFECT_API_URL）。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    # Before Prefect starts: otherwise every scheduled run fails the same way, in its log.
    campaign.require_registry(database_url())
    # Against the configured server (PREFECT_API_URL) as it is: no embedded one for a long run.
    from prefect import serve as serve_deployments  # noqa: PLC0415 - Prefect is slow to import

    from deployments.all import all_deployments  # noqa: PLC0415 - imports Prefect

    serve_deployments(*all_deployments())
