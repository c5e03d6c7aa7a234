"""`reform evaluations`: 好差评 imported, each 差评's case verified, rectified, visited, appealed,
the month's public summary, and a person erased on request."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from core.errors import UserError
from reform.common import (
    AsOf,
    ExitCode,
    Format,
    MissingFolder,
    OutputFormat,
    console,
    database_url,
    day_or_today,
    print_json,
    writable_target,
)


class NotAFile(UserError, IsADirectoryError):
    pass


app = typer.Typer(help="好差评：导入评价、差评核实整改、回访、申诉复核、月度公开汇总。", no_args_is_help=True)

CaseId = Annotated[int, typer.Argument(help="差评案件编号（reform evaluations list 中的编号）")]
On = Annotated[str | None, typer.Option("--on", help="日期（YYYY-MM-DD），默认今天")]


def _say(case: dict, what: str) -> None:
    due = f"，整改期限 {case['due']}（事项编号 {case['obligation_id']}）" if case["state"] == "rectifying" else ""
    console.print(f"差评案件第 {case['id']} 号{what}：{case['state_name']}{due}。", soft_wrap=True, highlight=False)


@app.command("import")
def import_file(file: Annotated[Path, typer.Argument(help="评价器导出的 CSV 或 xlsx 文件")]) -> None:
    """导入服务大厅评价器的评价导出（CSV 或 xlsx）。有任何问题逐行一次性列出，整份不导入。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    if file.is_dir():
        raise NotAFile(f"{file} 是一个目录，请给出评价器导出的 CSV 或 xlsx 文件")
    if not file.is_file():
        raise MissingFolder(f"文件不存在：{file}")
    result = service.import_evaluations(database_url(), file.read_bytes(), file.name, datetime.now())
    if result["problems"]:
        console.print(f"未导入：{file.name} 有 {len(result['problems'])} 处问题，改正后重新导入整份文件。",
                      highlight=False)
        for line in service.problem_lines(result["problems"]):
            typer.echo(f"  {line}")
        raise typer.Exit(ExitCode.REJECTED)
    cases = "、".join(str(c) for c in result["cases"])
    console.print(f"已导入评价 {result['evaluations']} 条" + (f"；差评 {len(result['cases'])} 条已立案待核实"
                                                             f"（案件 {cases}）" if cases else "") + "。",
                  highlight=False)


@app.command("verify")
def verify(
    case_id: CaseId,
    founded: Annotated[bool | None, typer.Option("--founded/--unfounded", help="核实属实 / 不属实")] = None,
    reason: Annotated[str, typer.Option("--reason", help="核实情况（必填）")] = "",
    on: On = None,
) -> None:
    """核实差评：属实的由承办单位在 15 个工作日内整改（进入督办），不属实的记录理由报市政府办公厅复核。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common
    from rules.evaluations import EvaluationError  # noqa: PLC0415

    if founded is None:
        raise EvaluationError("请写明 --founded（属实）或 --unfounded（不属实）")
    _say(service.verify(database_url(), case_id, founded, reason, day_or_today(on)), "已核实")


@app.command("review")
def review(
    case_id: CaseId,
    agree: Annotated[bool | None, typer.Option("--agree/--disagree", help="同意 / 不同意“不属实”的核实结论")] = None,
    note: Annotated[str, typer.Option("--note", help="复核意见")] = "",
    on: On = None,
) -> None:
    """市政府办公厅复核不属实的差评：同意则办结，不同意则按属实整改。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common
    from rules.evaluations import EvaluationError  # noqa: PLC0415

    if agree is None:
        raise EvaluationError("请写明 --agree（同意）或 --disagree（不同意）")
    _say(service.review(database_url(), case_id, agree, note, day_or_today(on)), "已复核")


@app.command("rectified")
def rectified(
    case_id: CaseId,
    note: Annotated[str, typer.Option("--note", help="整改情况（必填）")] = "",
    on: On = None,
) -> None:
    """记录承办单位的整改情况（之后须回访才能办结）。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    _say(service.rectified(database_url(), case_id, note, day_or_today(on)), "已记录整改")


@app.command("visit")
def visit(
    case_id: CaseId,
    result: Annotated[str, typer.Option("--result", help="回访评价：非常满意、满意、基本满意、不满意、非常不满意")] = "",
    note: Annotated[str, typer.Option("--note", help="回访情况")] = "",
    on: On = None,
) -> None:
    """记录回访并办结已整改的案件。回访须在整改之后。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    _say(service.visit(database_url(), case_id, result, note, day_or_today(on)), "已回访")


@app.command("appeal")
def appeal(
    case_id: CaseId,
    reason: Annotated[str, typer.Option("--reason", help="申诉理由（必填）")] = "",
    on: On = None,
) -> None:
    """评价人申诉复核（每案一次）：已办结的案件重新核实。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    _say(service.appeal(database_url(), case_id, reason, day_or_today(on)), "已受理申诉，重新核实")


@app.command("list")
def list_cases(
    month: Annotated[str | None, typer.Option("--month", help="差评所在月份，例如 2017-01")] = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """列出差评案件及其办理状态（不含评价人信息）。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    rows = service.list_cases(database_url(), month)
    if output is OutputFormat.JSON:
        print_json(rows)
        return
    if not rows:
        console.print("没有差评案件。")
    for c in rows:
        due = f"　整改期限 {c['due']}" if c["due"] else ""
        console.print(f"{c['id']}　{c['evaluated_at'][:10]}　{c['unit']}　{c['item_code'] or '—'} {c['item_name']}"
                      f"　{c['level']}　{c['state_name']}{due}{'　已申诉' if c['appealed'] else ''}",
                      soft_wrap=True, highlight=False)


@app.command("show")
def show(case_id: CaseId, output: Format = OutputFormat.TABLE) -> None:
    """一件差评案件的全部情况，含评价人姓名和联系方式（仅供市编委办、市政府办公厅使用）。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    c = service.show_case(database_url(), case_id)
    if output is OutputFormat.JSON:
        print_json(c)
        return
    lines = [f"差评案件第 {c['id']} 号：{c['state_name']}", f"单位：{c['unit']}　事项：{c['item_code']} {c['item_name']}",
             f"评价：{c['level']}（{c['evaluated_at']}）{c['text']}",
             f"评价人：{c['person'] or '（无）'}　联系方式：{c['contact'] or '（无）'}",
             f"核实：{c['verify_reason'] or '—'}　复核：{c['review_note'] or '—'}",
             f"整改：{c['rectified_on'] or '—'} {c['rectification_note']}　期限：{c['due'] or '—'}",
             f"回访：{c['visited_on'] or '—'} {c['visit_result']} {c['visit_note']}",
             f"申诉：{c['appeal_reason'] or '—'}"]
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False)


@app.command("summary")
def monthly_summary(
    month: Annotated[str, typer.Argument(help="月份，例如 2017-01")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="写成工作簿（xlsx）")] = None,
    as_of: AsOf = None,
    output: Format = OutputFormat.TABLE,
) -> None:
    """月度好差评公开汇总：按等级、单位、事项计数，差评是否按期整改。不含任何个人信息。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    target = writable_target(out)
    summary = service.monthly_summary(database_url(), month, day_or_today(as_of))
    if target is not None:
        from workbooks.evaluations_summary import summary_workbook  # noqa: PLC0415

        target.write_bytes(summary_workbook(summary))
    if output is OutputFormat.JSON:
        print_json(summary)
        return
    t = summary["totals"]
    console.print(f"{summary['month']}：评价 {t['evaluations']} 条，差评 {t['bad']} 条；差评案件 {t['cases']} 件，"
                  f"按期整改 {t['rectified_on_time']} 件，逾期整改 {t['rectified_late']} 件，逾期未整改 {t['overdue']} 件，"
                  f"不属实 {t['unfounded']} 件，"
                  f"在办 {t['open']} 件。" + (f"已写入 {target}。" if target else ""), soft_wrap=True, highlight=False)


@app.command("forget")
def forget(case_id: CaseId, reason: Annotated[str, typer.Option("--reason", help="删除理由，记入审计日志")] = "",
           on: On = None) -> None:
    """按评价人要求删除其姓名和联系方式，保留案件和统计数字。删除记入审计日志。"""
    from registry.evaluations import service  # noqa: PLC0415 - slow import, see reform.common

    service.forget_case(database_url(), case_id, day_or_today(on), reason=reason)
    console.print(f"差评案件第 {case_id} 号的评价人信息已删除，案件和统计数字保留。", highlight=False)
