"""`reform obligation show|waive|reopen|priority`: one obligation, looked at or changed by hand, always audited."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from reform.common import AsOf, Format, OutputFormat, console, database_url, day_or_today, parse_date, print_json
from reform.supervision_view import print_derivation, print_heading

app = typer.Typer(help="单个事项：查看全部情况，免除、重新开启或列入绿色通道（均记入审计日志）。", no_args_is_help=True)

ObligationId = Annotated[int, typer.Argument(help="事项编号（reform status 中的编号）")]
Reason = Annotated[str, typer.Option("--reason", help="理由（必填），记入审计日志")]


@app.command("show")
def show(
    obligation_id: ObligationId,
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """一个事项的全部情况：欠谁什么、期限及其出处、状态、回复地址、处理记录和下一步。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    record = supervision.show_obligation(database_url(), obligation_id, day_or_today(as_of))
    if output is OutputFormat.JSON:
        print_json(record)
        return
    print_heading(console, record)
    console.print(f"报送单位：{record['org_name']}　接收单位：{record['creditor_name'] or '—'}", soft_wrap=True,
                  highlight=False)
    reply = record["reply"]
    console.print(f"回复地址：{reply['address']}　回复令牌：{reply['token']}（邮件标题可带 {reply['subject_tag']}）",
                  soft_wrap=True, highlight=False)
    console.print("\n[bold]处理记录[/]（审计日志）")
    for e in record["history"]:
        move = f"{e['from']} → {e['to']}" if e["from"] else e["to"]
        console.print(f"  {e['at']}　{e['action']}　{move}　{e['actor']}：{e['reason']}", soft_wrap=True,
                      highlight=False)
    print_derivation(console, record)


@app.command("waive")
def waive(obligation_id: ObligationId, reason: Reason = "") -> None:
    """免除一个尚未办结的事项（例如单位撤并、任务取消）；已办结的不能免除。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    changed = campaign.waive_obligation(database_url(), obligation_id, reason, datetime.now())
    console.print(f"事项 {changed.id}（{changed.org_name}「{changed.phase_name}」）已免除，理由已记入审计日志。",
                  soft_wrap=True, highlight=False)


@app.command("reopen")
def reopen(
    obligation_id: ObligationId,
    reason: Reason = "",
    due: Annotated[str | None, typer.Option("--due", help="新的截止日期（YYYY-MM-DD），默认沿用原期限")] = None,
) -> None:
    """重新开启一个已完成或已免除的事项；尚未办结的无需重新开启。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    changed = campaign.reopen_obligation(database_url(), obligation_id, reason, datetime.now(),
                                         parse_date(due) if due else None)
    console.print(f"事项 {changed.id}（{changed.org_name}「{changed.phase_name}」）已重新开启，截止日期 {changed.due}，"
                  "理由已记入审计日志。", soft_wrap=True, highlight=False)


@app.command("priority")
def priority(
    obligation_id: ObligationId,
    reason: Reason = "",
    off: Annotated[bool, typer.Option("--off", help="移出绿色通道")] = False,
) -> None:
    """列入绿色通道（优先办理，提醒、黄牌、红牌和督查都更早）；加 --off 则移出。"""
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    changed = campaign.prioritise_obligation(database_url(), obligation_id, reason, datetime.now(), priority=not off)
    console.print(f"事项 {changed.id}（{changed.org_name}「{changed.phase_name}」）已{'移出' if off else '列入'}绿色通道，"
                  "理由已记入审计日志。", soft_wrap=True, highlight=False)
