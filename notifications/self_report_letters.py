"""The letters of a long-term task's self-report: the period's call and the accepted receipt.

A rejected report is answered by notifications.intake_letters.rejected_receipt, like every other
document, with every problem at once.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from html import escape

from notifications.intake_letters import Letter, letter_html
from rules.self_reports import differences, number_text


def self_report_call(*, org_name: str, task_number: int, task_title: str, period: str, deadline: date, reason: str,
                     reply_address: str, tag: str, filename: str) -> Letter:
    subject = f"【长期推进任务自查】请于 {deadline.isoformat()} 前报送第{task_number}项 {period} 自查报告（{org_name}）{tag}"
    lines = [f"{org_name}：",
             f"请对照工作方案第{task_number}项「{task_title}」，填写附件「{filename}」，"
             f"于 {deadline:%Y年%-m月%-d日} 前直接回复本邮件报送（回复地址：{reply_address}），不要修改主题中的编号 {tag}。",
             "附件已列出系统根据审定的清单、审核通过的办事指南和审定的证明清理结果统计的数字，请核对后填写本单位的数字，"
             "并写明工作进展、存在问题和下一步打算。",
             f"期限：{reason}",
             "系统收到后几分钟内回执；如有问题，将一次性告知全部问题及修改方法。", "市编委办"]
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


def self_report_receipt(*, org_name: str, task_number: int, period: str, version: int, filename: str, tag: str,
                        values: Sequence[Mapping], received: datetime) -> Letter:
    """The figures as taken, and those that differ from the registry's, to be explained if not yet."""
    subject = f"【回执】第{task_number}项 {period} 自查报告已通过校验（{org_name}）{tag}"
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename}」（第 {version} 版）已通过校验并登记，"
             f"第{task_number}项 {period} 自查报告任务已完成。登记的指标如下："]
    table = [[v["label"], v["unit"], number_text(v["system"]), number_text(v["reported"])] for v in values]
    after = []
    differ = differences(values)
    if differ:
        unexplained = [v["label"] for v in differ if not v.get("note")]
        after.append(f"其中 {len(differ)} 项与系统统计值不一致，将在督导检查通报中列示"
                     + (f"；「{'」「'.join(unexplained)}」未在「说明」中写明原因，如需说明，可补充后回复本邮件重新报送。"
                        if unexplained else "。"))
    after += ["如需修改，请回复本邮件报送新版本，新版本将取代本版本。", "市编委办"]
    text = ("\n\n".join(lines) + "\n"
            + "".join(f"  {label}：系统 {system} {unit}，填报 {reported} {unit}\n" for label, unit, system, reported in table)
            + "\n" + "\n\n".join(after) + "\n")
    html = letter_html(lines, table, ["指标", "单位", "系统统计值", "本单位填报值"])
    return Letter(subject, text, html.replace("</body>", "".join(f"<p>{escape(p)}</p>" for p in after) + "</body>"))
