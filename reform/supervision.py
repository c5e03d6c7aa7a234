"""`reform sweep`, `reform explain` and `reform complaint`: supervision from the command line."""
from __future__ import annotations

from typing import Annotated

import typer

from reform.common import AsOf, Format, OutputFormat, console, database_url, day_or_today, print_json
from reform.supervision_view import print_explanation

complaint_app = typer.Typer(help="投诉与评议：登记、分派、答复、评价，按投诉人要求删除个人信息。", no_args_is_help=True)

NOTHING_NEW = "没有新的提醒或督办通知：今天应发的通知均已发出（重复运行不会重复发送）。"


def sweep(
    as_of: AsOf = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将要发送的通知，不写入")] = False,
) -> None:
    """督办扫描：到期前提醒、黄牌、红牌、逐级上报；每个单位每级每天一封通知，列出全部事项，不重复发送。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    day = day_or_today(as_of)
    outcome = supervision.sweep_day(database_url(), day, dry_run=dry_run)
    if not outcome.working_day:
        console.print(f"{day} 为非工作日，督办扫描只在工作日运行，本次不发送通知。")
        return
    result = outcome.result
    if outcome.reports_opened:
        console.print(f"新开启长期推进任务自查报告 {outcome.reports_opened} 项。")
    for message in result.messages:
        typer.echo(message.line())
    verb = "将发送" if dry_run else "新增"
    if result.messages:
        console.print(f"{day}：检查在办事项 {result.examined} 项，{verb}通知 {len(result.messages)} 封"
                      f"（涉及事项 {len(result.notices)} 项，每个单位每级一封）"
                      f"{'（试运行，未写入）' if dry_run else ''}。")
    else:
        console.print(f"{day}：检查在办事项 {result.examined} 项。{NOTHING_NEW}")
    _say_what_waits(outcome)
    if not dry_run:
        _deliver()


def _deliver() -> None:
    """Send what the sweep queued, and whatever else is due, now: the command does what it says."""
    import asyncio  # noqa: PLC0415 - only the running needs it, see reform.common

    from registry.outbox import service as outbox  # noqa: PLC0415 - slow import, see reform.common

    delivery = asyncio.run(outbox.deliver(database_url()))
    # One line, never wrapped: scripts and a cron job's mail read it.
    typer.echo(f"邮件：发出 {delivery['sent']} 封，暂缓 {delivery['deferred']} 封（邮件服务器暂不可用，将自动重试），"
               f"失败 {delivery['failed']} 封（已告知市编委办）。")


def _say_what_waits(outcome) -> None:
    """What the sweep could not date today, and the calendar year it waits for."""
    for item in outcome.undated:
        typer.echo(f"暂缓 事项 {item.obligation_id} {item.org_name}「{item.phase_name}」截止 {item.due}："
                   f"需要 {item.missing_year} 年工作日历")
    for item in outcome.unopened:
        typer.echo(f"暂缓 任务 {item.task_number}「{item.task_title}」{item.period} 自查报告："
                   f"需要 {item.missing_year} 年工作日历")
    if outcome.calendar_warning:
        typer.echo(outcome.calendar_warning)  # one line, never wrapped: it holds a command to copy


def explain(
    obligation_id: Annotated[int, typer.Argument(help="事项编号（reform status 中的编号）")],
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """说明一个事项：期限怎么来的、发过哪些通知、下一步在哪天。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    report = supervision.explain_obligation(database_url(), obligation_id, day_or_today(as_of))
    if output is OutputFormat.JSON:
        print_json(report)
    else:
        print_explanation(console, report)


@complaint_app.command("add")
def complaint_add(
    text: Annotated[str, typer.Argument(help="投诉内容")],
    department: Annotated[str, typer.Option("--department", "-d", help="被投诉单位代码或名称（须在组织目录中）；不填则由市编委办分派")] = "",
    complainant: Annotated[str, typer.Option(help="投诉人")] = "",
    contact: Annotated[str, typer.Option(help="投诉人联系方式")] = "",
    subject: Annotated[str, typer.Option(help="标题")] = "",
    on: Annotated[str | None, typer.Option("--on", help="收到日期，默认今天")] = None,
) -> None:
    """登记一件投诉；指明单位的立即分派（单位不在组织目录中则不登记），不指明则转市编委办分派。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    # A department typed here is meant as a code: a typo is refused, not passed on to be assigned.
    c = supervision.record_complaint(database_url(), text=text, received_on=day_or_today(on), department=department,
                                     complainant=complainant, contact=contact, subject=subject, channel="cli",
                                     refuse_unknown_department=True)
    if c.due:
        console.print(f"已登记投诉第 {c.id} 号，分派给{c.department}，答复期限 {c.due}。")
    else:
        console.print(f"已登记投诉第 {c.id} 号：未指明或无法识别被投诉单位，已通知市编委办分派"
                      f"（reform complaint assign {c.id} 单位代码）。")


@complaint_app.command("assign")
def complaint_assign(
    complaint_id: Annotated[int, typer.Argument(help="投诉编号")],
    department: Annotated[str, typer.Argument(help="承办单位代码或名称")],
    on: Annotated[str | None, typer.Option("--on", help="分派日期，默认今天")] = None,
) -> None:
    """把投诉分派给承办单位，按工作日计算答复期限（默认 15 个工作日）。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    c = supervision.assign_complaint(database_url(), complaint_id, department, day_or_today(on))
    console.print(f"投诉第 {complaint_id} 号已分派给{c.department}，答复期限 {c.due}（事项编号 {c.obligation_id}）。")


@complaint_app.command("answer")
def complaint_answer(
    complaint_id: Annotated[int, typer.Argument(help="投诉编号")],
    answer: Annotated[str, typer.Argument(help="答复内容")],
    on: Annotated[str | None, typer.Option("--on", help="答复日期，默认今天")] = None,
) -> None:
    """记录承办单位对投诉的答复。"""
    from registry.supervision import service as supervision  # noqa: PLC0415 - slow import, see reform.common

    c = supervision.answer_complaint(database_url(), complaint_id, answer, day_or_today(on))
    console.print(f"已记录投诉第 {complaint_id} 号的答复（{c.answered_on}）。")


@complaint_app.command("evaluate")
def complaint_evaluate(
    complaint_id: Annotated[int, typer.Argument(help="投诉编号")],
    level: Annotated[str, typer.Argument(help="非常满意、满意、基本满意、不满意、非常不满意")],
    on: Annotated[str | None, typer.Option("--on", help="评价日期，默认今天")] = None,
) -> None:
    """记录投诉人对答复的评价（五个等级）。差评（不满意、非常不满意）立案待核实。"""
    from registry.evaluations import service as evaluations  # noqa: PLC0415 - slow import, see reform.common

    c = evaluations.evaluate_complaint(database_url(), complaint_id, level, day_or_today(on))
    case = f"；差评已立案待核实（差评案件第 {c['case_id']} 号）" if c["case_id"] else ""
    console.print(f"已记录投诉第 {complaint_id} 号的评价：{c['evaluation']}{case}。", highlight=False)


@complaint_app.command("forget")
def complaint_forget(
    complaint_id: Annotated[int, typer.Argument(help="投诉编号")],
    reason: Annotated[str, typer.Option("--reason", help="删除理由，记入审计日志")] = "",
    on: Annotated[str | None, typer.Option("--on", help="日期，默认今天")] = None,
) -> None:
    """按投诉人要求删除其姓名和联系方式，保留投诉、答复和统计数字。删除记入审计日志。"""
    from registry.evaluations import service as evaluations  # noqa: PLC0415 - slow import, see reform.common

    evaluations.forget_complaint(database_url(), complaint_id, day_or_today(on), reason=reason)
    console.print(f"投诉第 {complaint_id} 号的投诉人信息已删除，投诉和统计数字保留。", highlight=False)
