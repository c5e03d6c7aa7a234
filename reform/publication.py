"""`reform publish` and `reform publication address`: the approved list published, and where each
department put its part."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from reform.common import CampaignCode, MissingFolder, console, database_url

app = typer.Typer(help="公布：各部门在本单位网站公布的网址。", no_args_is_help=True)


def publish(
    version: Annotated[int | None, typer.Option("--version", help="公布第几版清单，默认最新一版")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", file_okay=False, help="输出目录，默认 $REFORM_HOME/site/vN（并把 current 指向最新一版）")] = None,
    deliver: Annotated[bool, typer.Option("--deliver/--no-deliver", help="立即向各部门发出本部门页面包")] = True,
    campaign: CampaignCode = None,
) -> None:
    """把审定的清单、办事指南和证明事项清理结果生成静态网站和开放数据（无需服务器即可打开），并向各部门发出本部门页面包。"""
    from registry.outbox import service as outbox  # noqa: PLC0415 - slow import, see reform.common
    from registry.publication import service as publication  # noqa: PLC0415 - slow import, see reform.common

    if out is not None and not out.parent.is_dir():
        raise MissingFolder(f"目录不存在：{out.parent}")
    result = publication.publish(database_url(), datetime.now(), version, out, actor="coordinator", campaign=campaign)
    console.print(f"已公布{'全市' if campaign is None else campaign + ' '}清单第 {result.version} 版：事项 {result.items} 个（附办事指南 {result.guides} 个），"
                  f"证明 {result.certificates} 项，部门 {result.departments} 个。", highlight=False, soft_wrap=True)
    console.print(f"打开：{result.index.resolve().as_uri()}", highlight=False, soft_wrap=True)
    if result.changes:
        console.print(f"本版变化：{result.changes}", highlight=False, soft_wrap=True)
    import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

    sent = asyncio.run(outbox.deliver(database_url())) if deliver and result.bundles else {"sent": 0}
    console.print(f"向 {result.bundles} 个部门发出本部门页面包（本次发出邮件 {sent['sent']} 封）；"
                  f"{result.released} 个部门没有审定事项，无需公布。", highlight=False)


@app.command("address")
def address(
    org: Annotated[str, typer.Argument(help="单位代码")],
    url: Annotated[str, typer.Argument(help="公布网址（https://…）")],
) -> None:
    """登记某部门在本单位网站公布的网址（部门未通过邮件回复时），完成其公布任务。"""
    from registry.publication import service as publication  # noqa: PLC0415 - slow import, see reform.common

    name = publication.record_address_by_hand(database_url(), org, url, datetime.now())
    console.print(f"已登记{name}的公布网址：{url}", highlight=False, soft_wrap=True)
