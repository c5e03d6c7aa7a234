"""`reform guides status` and `reform certificates list|export`: the second half of the plan, item by item."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reform.common import (
    AsOf,
    Format,
    MissingFolder,
    OutputFormat,
    console,
    database_url,
    day_or_today,
    print_json,
)

guides_app = typer.Typer(help="办事指南：每个审定事项的办事指南是否报送、是否齐全、审核到哪一步。", no_args_is_help=True)
certificates_app = typer.Typer(help="证明事项清理：各部门的证明及其处理方式，保留清单、取消清单和告知承诺书。",
                               no_args_is_help=True)

Org = Annotated[str | None, typer.Option("--org", help="只看一个单位（代码、全称或简称）")]


@guides_app.command("status")
def guides_status(org: Org = None, output: Format = OutputFormat.TABLE) -> None:
    """每个审定事项一行：单位、事项、状态、是否齐全、缺少的要素。"""
    from registry.guides import service as guides  # noqa: PLC0415 - slow import, see reform.common

    entries = guides.guides_status(database_url(), org)
    if output is OutputFormat.JSON:
        print_json(entries)
        return
    table = Table("单位", "事项", "状态", "齐全", "缺少的要素", show_lines=False)
    for e in entries:
        table.add_row(e["org_name"], e["item"], e["state_name"], "是" if e["complete"] else "否",
                      "、".join(e["missing"]) or "—")
    console.print(table)
    done = sum(1 for e in entries if e["state"] == "agreed")
    console.print(f"共 {len(entries)} 个事项：审核通过 {done}，要素齐全 {sum(e['complete'] for e in entries)}。",
                  highlight=False)


@certificates_app.command("list")
def certificates_list(
    org: Org = None,
    disposition: Annotated[str | None, typer.Option(
        "--disposition", help="只看一种处理方式：保留、取消、告知承诺、信息共享替代、其他证照替代")] = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """每项证明一行：单位、证明名称、所涉事项、开具单位、依据及层级、处理方式（审定后为审定的）、状态。"""
    from registry.certificates import service as certificates  # noqa: PLC0415 - slow import, see reform.common

    entries = certificates.certificates_list(database_url(), org, disposition)
    if output is OutputFormat.JSON:
        print_json(entries)
        return
    table = Table("单位", "证明名称", "所涉事项", "开具单位", "依据层级", "处理方式", "状态")
    for e in entries:
        table.add_row(e["org_name"], e["name"], "、".join(e["items"]), e["issuer"], e["basis_level"],
                      e["disposition"], e["state_name"])
    console.print(table)
    console.print(f"共 {len(entries)} 项证明。", highlight=False)


@certificates_app.command("export")
def certificates_export(
    out: Annotated[Path, typer.Option("--out", file_okay=False, help="输出目录（须已存在）")],
    as_of: AsOf = None,
) -> None:
    """写出保留证明事项清单、取消证明事项清单（.xlsx）和每项告知承诺证明的告知承诺书格式文本（.docx）。"""
    from registry.certificates import service as certificates  # noqa: PLC0415 - slow import, see reform.common

    if not out.is_dir():
        raise MissingFolder(f"目录不存在：{out}")
    files = certificates.certificate_documents(database_url(), day_or_today(as_of))
    for name, content in files:
        (out / name).write_bytes(content)
        console.print(f"已写出：{out / name}", highlight=False)
