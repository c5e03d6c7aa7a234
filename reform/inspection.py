"""`reform inspection open|call|finding|rectified|show|checklist|import`: inspection rounds (督导检查) and their findings' rectification."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from core.errors import MissingFile
from reform.common import (
    AsOf,
    Format,
    OutputFormat,
    console,
    database_url,
    day_or_today,
    parse_date,
    print_json,
    writable_target,
)

app = typer.Typer(help="督导检查：开启一轮检查，记录发现的问题，督促整改（整改事项按期限提醒、亮牌）。",
                  no_args_is_help=True)



RoundName = Annotated[str, typer.Argument(help="检查名称（reform inspection open --round 所起的名称）")]
On = Annotated[str | None, typer.Option("--on", help="日期（YYYY-MM-DD），默认今天")]


@app.command("open")
def open_round(
    name: Annotated[str, typer.Option("--round", help="检查名称，例如“2016年第三季度督导检查”，不能重复")],
    due: Annotated[str, typer.Option("--due", help="检查截止日期（YYYY-MM-DD，须为工作日）")],
    orgs: Annotated[str, typer.Option("--orgs", help="被检查单位代码，逗号分隔；默认全部市直部门")] = "",
    on: On = None,
) -> None:
    """开启一轮督导检查：检查清单执行情况、服务流程简化优化情况和庸懒散拖等问题（预填各单位被投诉件数）。"""
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    chosen = [code for code in (part.strip() for part in orgs.replace("，", ",").split(",")) if code]
    opened = inspections.open_inspection(database_url(), name, parse_date(due), day_or_today(on), chosen or None)
    console.print(f"已开启督导检查“{opened.name}”：被检查单位 {opened.units} 个，检查截止 {opened.due}。"
                  f"查看：reform inspection show {opened.name}", soft_wrap=True, highlight=False)


@app.command("call")
def call(round_name: RoundName, on: On = None) -> None:
    """向本轮每个被检查单位发出检查通知，附该单位的检查清单（每个单位只发一次，重复运行安全）。"""
    import asyncio  # noqa: PLC0415 - only the sending needs it

    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common
    from registry.outbox import service as outbox  # noqa: PLC0415 - slow import, see reform.common

    outcome = inspections.call_inspected_units(database_url(), round_name, day_or_today(on))
    console.print(f"检查通知：新发出 {outcome.queued} 份（已发过的不再重复）。", highlight=False)
    for name in outcome.unreachable:
        typer.echo(f"未发送 {name}：组织目录中没有工作联系人邮箱")
    delivery = asyncio.run(outbox.deliver(database_url()))
    typer.echo(f"邮件：发出 {delivery['sent']} 封，暂缓 {delivery['deferred']} 封（邮件服务器暂不可用，将自动重试），"
               f"失败 {delivery['failed']} 封（已告知市编委办）。")


@app.command("finding")
def finding(
    round_name: RoundName,
    org: Annotated[str, typer.Option("--org", help="被检查单位代码或名称")],
    item: Annotated[str, typer.Option("--item", help="检查清单项目之一：“清单执行情况”“服务流程简化优化情况”"
                                                     "“庸懒散拖、推诿扯皮、敷衍塞责及服务态度生硬”")],
    text: Annotated[str, typer.Option("--text", help="发现的问题")],
    days: Annotated[int | None, typer.Option("--days", help="整改期限（工作日），默认 15 个工作日")] = None,
    on: On = None,
) -> None:
    """记录检查发现的问题：单位须在期限内整改，逾期按督办阶梯提醒、亮黄牌红牌。"""
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    f = inspections.record_finding(database_url(), round_name, org, item, text, day_or_today(on), days)
    console.print(f"已记录检查发现问题第 {f.id} 号（{f.org_name}，{f.item}），整改期限 {f.due}（事项编号 {f.obligation_id}）。",
                  soft_wrap=True, highlight=False)


@app.command("rectified")
def rectified(
    finding_id: Annotated[int, typer.Argument(help="检查发现问题编号（reform inspection show 中的编号）")],
    note: Annotated[str, typer.Option("--note", help="整改情况（必填），记入审计日志")] = "",
    on: On = None,
) -> None:
    """记录一个问题已整改完成，整改事项随之办结；同一问题不能重复记录。"""
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    f = inspections.rectify_finding(database_url(), finding_id, note, day_or_today(on))
    console.print(f"检查发现问题第 {f.id} 号（{f.org_name}）已于 {f.rectified_on} 整改完成，已记入审计日志。",
                  soft_wrap=True, highlight=False)


@app.command("show")
def show(round_name: RoundName, as_of: AsOf = None, output: Format = OutputFormat.TABLE) -> None:
    """一轮检查的被检查单位、检查清单、发现的问题及其整改进展。"""
    from reform.inspection_view import print_inspection  # noqa: PLC0415 - needs rich tables only here
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    record = inspections.show_inspection(database_url(), round_name, day_or_today(as_of))
    if output is OutputFormat.JSON:
        print_json(record)
    else:
        print_inspection(console, record)


@app.command("checklist")
def checklist(
    round_name: RoundName,
    out: Annotated[Path, typer.Option("--out", help="写出的工作簿（.xlsx）")],
) -> None:
    """写出本轮的督导检查清单工作簿：每个单位每个检查项目一行，预填被投诉件数，供检查人员填写。"""
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    target = writable_target(out)
    target.write_bytes(inspections.checklist_workbook(database_url(), round_name))
    console.print(f"已写出督导检查清单：{target}（填写后用 reform inspection import {round_name} 文件 导入）",
                  soft_wrap=True, highlight=False)


@app.command("import")
def import_checklist(
    round_name: RoundName,
    file: Annotated[Path, typer.Argument(help="填好的督导检查清单（.xlsx）")],
    on: On = None,
) -> None:
    """导入填好的督导检查清单：每个写明的问题成为单位的整改事项；有任何错误则一项都不导入，并一次列出全部错误。"""
    from registry.inspections import service as inspections  # noqa: PLC0415 - slow import, see reform.common

    if file.is_dir():
        raise MissingFile(f"{file} 是一个目录，请给出填好的清单文件（.xlsx）")
    if not file.is_file():
        raise MissingFile(f"文件不存在：{file}")
    found = inspections.import_checklist(database_url(), round_name, file.name, file.read_bytes(), day_or_today(on))
    console.print(f"已导入 {file.name}：记录检查发现问题 {len(found)} 个。", soft_wrap=True, highlight=False)
    for f in found:
        console.print(f"  第 {f.id} 号 {f.org_name}（{f.item}）整改期限 {f.due}（事项编号 {f.obligation_id}）",
                      soft_wrap=True, highlight=False)
