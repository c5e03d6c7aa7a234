"""`reform review …`, `reform approve` and `reform adjust`: the coordinator's side of review and approval."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from core.errors import UserError
from reform.common import (
    AsOf,
    CampaignCode,
    Format,
    OutputFormat,
    console,
    database_url,
    day_or_today,
    parse_date,
    prefect_server_configured,
    print_json,
    writable_target,
)

review_app = typer.Typer(help="并联审核：进展、协调决定、复核。", no_args_is_help=True)


@review_app.command("status")
def review_status_command(
    as_of: AsOf = None,
    submission: Annotated[int | None, typer.Option("--submission", help="只看某个送审编号")] = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """每份送审材料（清单、办事指南、证明事项清理表）的审核进展：各审核单位的状态、分歧事项数和下一步。"""
    from registry.review import service as review  # noqa: PLC0415 - slow import, see reform.common

    day = day_or_today(as_of)
    rows = review.review_status(database_url(), day, submission)
    if output is OutputFormat.JSON:
        print_json(rows)
        return
    if not rows:
        console.print("还没有送审的清单。")
        return
    table = Table(title=f"并联审核进展（截至 {day}）")
    for header in ("送审编号", "部门", "送审材料", "版本", *rows[0]["agencies"], "分歧", "进展"):
        table.add_column(header)
    for r in rows:
        stage = r["stage"] + ("（有汇总后来函）" if r["late_opinion"] else "")
        table.add_row(str(r["submission_id"]), r["org_name"], r["subject"], str(r["version"]),
                      *r["agencies"].values(), str(r["conflicts"] or ""), stage)
    console.print(table)


@review_app.command("decide")
def decide(
    submission: Annotated[int, typer.Argument(help="送审编号")],
    item: Annotated[str, typer.Argument(help="事项（或证明）序号")],
    opinion: Annotated[str, typer.Option(
        "--opinion", help="清单：保留、取消、调整或合并；证明事项：保留、取消、告知承诺、信息共享替代或其他证照替代")],
    reason: Annotated[str, typer.Option("--reason", help="决定理由（取消时必填）")] = "",
    adjusted: Annotated[str, typer.Option("--adjusted", help="调整后内容（调整时必填）")] = "",
    deliver: Annotated[bool, typer.Option("--deliver/--no-deliver", help="决定齐备后立即发出书面审核意见")] = True,
) -> None:
    """协调决定审核意见不一致的事项；全部决定后，书面审核意见自动发给部门。"""
    from registry.outbox import service as outbox  # noqa: PLC0415 - slow import, see reform.common
    from registry.review import service as review  # noqa: PLC0415 - slow import, see reform.common

    issued = review.decide_conflict(database_url(), submission, item, opinion, reason, datetime.now(),
                                    adjusted=adjusted)
    console.print(f"已决定：送审编号 {submission} 序号 {item} → {opinion}")
    if issued:
        import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

        # Sent now rather than at the next scheduled delivery: the coordinator is waiting for it.
        sent = asyncio.run(outbox.deliver(database_url())) if deliver else {"sent": 0}
        console.print(f"全部分歧已决定，书面审核意见已发给部门（本次发出邮件 {sent['sent']} 封）。")


@review_app.command("recheck")
def recheck(
    submission: Annotated[int, typer.Argument(help="送审编号，或部门修改后清单的编号")],
    note: Annotated[str, typer.Option("--note", help="复核意见")] = "",
) -> None:
    """登记市编委办对部门修改后清单的复核已完成。"""
    from registry.review import service as review  # noqa: PLC0415 - slow import, see reform.common

    review.finish_recheck(database_url(), submission, note, datetime.now())
    console.print(f"送审编号 {submission} 复核完成。")


@review_app.command("route")
def route() -> None:
    """立即把所有尚未送审的清单送四家单位审核（重复运行安全）。"""
    _require_registry()
    if prefect_server_configured():
        import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

        from flows.review import review_routing_flow  # noqa: PLC0415 - Prefect is slow to import

        routed = asyncio.run(review_routing_flow())
    else:
        from tasks.one_shot import route_submissions  # noqa: PLC0415 - slow import, see reform.common

        routed = route_submissions()
    console.print(f"本次处理 {len(routed)} 份清单。")


@review_app.command("merge")
def merge() -> None:
    """立即汇总四家意见已到齐的清单（重复运行安全）。"""
    _require_registry()
    if prefect_server_configured():
        import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

        from flows.review import review_merge_flow  # noqa: PLC0415 - Prefect is slow to import

        merged = asyncio.run(review_merge_flow())
    else:
        from tasks.one_shot import merge_opinions  # noqa: PLC0415 - slow import, see reform.common

        merged = merge_opinions()
    created = [m for m in merged if m["created"]]
    console.print(f"本次汇总 {len(created)} 份，其中 {sum(1 for m in created if m['conflicts'])} 份有分歧待协调。")


def approve(
    on: Annotated[str, typer.Option("--date", help="审定日期（YYYY-MM-DD）")],
    meeting: Annotated[str, typer.Option("--meeting", help="会议，例如：市政府第 12 次常务会议")],
    document: Annotated[str, typer.Option("--document", help="文号，例如：沈政办发〔2016〕88号")],
    out: Annotated[Path | None, typer.Option("--out", help="把审定的清单另存为（.xlsx）")] = None,
    force: Annotated[bool, typer.Option("--force", help="有部门清单未完成审核、回复和复核时仍然审定（须写明 --reason）")] = False,
    reason: Annotated[str, typer.Option("--reason", help="强行审定的理由，记入审计日志")] = "",
    campaign: CampaignCode = None,
) -> None:
    """登记市政府审定（日期、会议、文号），生成全市公共服务事项清单（第 1 版，冻结保存）。

    各部门清单都经过审核、回复和复核后才能审定；尚未办结的审核、回复、复核事项由审定取代并记录在案。
    """
    from registry.review import service as review  # noqa: PLC0415 - slow import, see reform.common

    day = parse_date(on)
    # Before the approval is committed: a refused --out afterwards would leave it half done.
    writable_target(out)
    version = review.approve(database_url(), day, meeting, document, datetime.now(),
                             force_reason=_force_reason(force, reason), campaign=campaign)
    console.print(f"已登记审定：{day} {meeting}（{document}）。{'全市' if campaign is None else campaign + ' '}清单第 {version.number} 版，"
                  f"共 {version.items} 个事项，已冻结保存。", highlight=False, soft_wrap=True)
    _tell_unfinished(version.unfinished)
    if version.overtaken:
        console.print(f"审定取代了尚未办结的审核、回复、复核事项 {len(version.overtaken)} 项（已记入审计日志）：",
                      highlight=False, soft_wrap=True)
        for o in version.overtaken:
            console.print(f"  事项 {o.obligation_id}：{o.org_name}（{OVERTAKEN_PHASES[o.phase]}）",
                          highlight=False, soft_wrap=True)
    _tell_called(version.called)
    _announce(version.number, version.items, campaign)
    _save(out, version.content)


def adjust(
    on: Annotated[str, typer.Option("--date", help="调整生效日期（YYYY-MM-DD）")],
    reason: Annotated[str, typer.Option("--reason", help="调整原因")],
    document: Annotated[str, typer.Option("--document", help="调整依据的文号")] = "",
    out: Annotated[Path | None, typer.Option("--out", help="把新版本另存为（.xlsx）")] = None,
    force: Annotated[bool, typer.Option("--force", help="有部门清单未完成复核时仍然调整（须写明 --force-reason）")] = False,
    force_reason: Annotated[str, typer.Option("--force-reason", help="强行调整的理由，记入审计日志")] = "",
    campaign: CampaignCode = None,
) -> None:
    """动态调整：按各部门现行清单生成新版本，并记录与上一版相比的变化（须先审定，且各部门清单已复核）。"""
    from registry.review import service as review  # noqa: PLC0415 - slow import, see reform.common

    writable_target(out)
    version = review.adjust(database_url(), parse_date(on), reason, document, datetime.now(),
                            force_reason=_force_reason(force, force_reason, "--force-reason"), campaign=campaign)
    console.print(f"已生成全市清单第 {version.number} 版（{reason}）。变化：", highlight=False, soft_wrap=True)
    for code, diff in version.changes.items():
        console.print(f"  {code}：新增 {len(diff['added'])}，删除 {len(diff['removed'])}，修改 {len(diff['changed'])}",
                      highlight=False)
    _tell_unfinished(version.unfinished)
    _tell_called(version.called)
    _announce(version.number, version.items, campaign)
    _save(out, version.content)


OVERTAKEN_PHASES = {"review": "审核", "response": "部门回复", "approval": "复核"}


class ForceWithoutReason(UserError, ValueError):
    pass


def _force_reason(force: bool, reason: str, option: str = "--reason") -> str:
    if force and not reason.strip():
        raise ForceWithoutReason(f"--force 须同时用 {option} 写明理由（记入审计日志）")
    return reason.strip() if force else ""


def _tell_unfinished(unfinished: str) -> None:
    if unfinished:
        console.print(f"强行冻结：以下部门的清单未完成审核，已在清单中标注「未完成审核」（{unfinished}）",
                      highlight=False, soft_wrap=True)


def _tell_called(called: int) -> None:
    if called:
        console.print(f"已向有审定事项的部门发出编制办事指南、清理证明的通知 {called} 份（附按清单预填的工作簿）；"
                      "reform publish 公布本版清单。", highlight=False, soft_wrap=True)


def _announce(version: int, items: int, campaign: str | None) -> None:
    """With a long-running Prefect server, its publication deployment publishes the version at once."""
    if os.environ.get("PREFECT_API_URL"):
        from flows.events import announce_approved  # noqa: PLC0415 - Prefect is slow to import

        announce_approved(version, items, campaign)


def _require_registry() -> None:
    from registry.campaign import service as campaign  # noqa: PLC0415 - slow import, see reform.common

    campaign.require_registry(database_url())


def _save(out: Path | None, content: bytes) -> None:
    if out:
        out.write_bytes(content)
        console.print(f"清单已另存为 {out}")
