"""The letters of the review phase, in Chinese: packets to agencies, their receipts, notices to the
coordinator, the consolidated opinion to a department and the receipt of its response.

Pure text, like notifications.intake_letters (whose Letter and HTML helper they share).
"""
from __future__ import annotations

from datetime import date, datetime

from core.problems import Problem
from notifications.intake_letters import LISTED_IN_BODY, Letter, letter_html

SIGNATURE = "市编委办"


def _letter(subject: str, lines: list[str], table: list[list[str]] | None = None,
            header: list[str] | None = None) -> Letter:
    text = "\n\n".join(lines) + "\n"
    if table:
        text += "\n" + "".join("  " + " | ".join(map(str, row)) + "\n" for row in table)
    return Letter(subject, text, letter_html(lines, table, header))


def packet_letter(*, agency_name: str, org_name: str, version: int, items: int, flagged: int, deadline: date,
                  angle: str, reply_address: str, tag: str, filename: str, title: str = "公共服务事项清单",
                  unit: str = "事项", choices: tuple[str, ...] = ("保留", "取消", "调整", "合并")) -> Letter:
    return _letter(f"【审核】{org_name}{title}（第 {version} 版）请审核 {tag}", [
        f"{agency_name}：",
        f"{org_name}报送的{title}（第 {version} 版，共 {items} 个{unit}）已通过校验，"
        f"请按工作方案从{angle}角度审核，于 {deadline:%Y年%-m月%-d日} 前提出书面审核意见。",
        f"请在附件「{filename}」中逐项选择审核意见（{'/'.join(choices)}），填写理由，"
        f"然后直接回复本邮件（{reply_address}），不要修改主题中的编号 {tag}。"
        + (f"系统已按贵单位审核角度预先标出 {flagged} 个{unit}，见「预审提示」列。" if flagged else ""),
        SIGNATURE])


def opinion_accepted(*, agency_name: str, org_name: str, reply_version: int, counts: dict[str, int],
                     after_merge: bool, tag: str, received: datetime) -> Letter:
    tally = "，".join(f"{k} {v} 项" for k, v in counts.items() if v)
    lines = [f"{agency_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 发来的对{org_name}清单的审核意见（第 {reply_version} 次）已登记：{tally}。"]
    if after_merge:
        lines.append("该清单的书面审核意见已经汇总发出，本次意见已登记并提请市编委办研究处理。")
    elif reply_version > 1:
        lines.append("本次意见取代贵单位此前发来的意见。")
    lines.append(SIGNATURE)
    return _letter(f"【回执】审核意见已登记（{org_name}）{tag}", lines)


def opinion_duplicate(*, agency_name: str, org_name: str, reply_version: int, tag: str,
                      received: datetime) -> Letter:
    return _letter(f"【回执】审核意见此前已登记（{org_name}）{tag}", [
        f"{agency_name}：",
        f"贵单位 {received:%Y-%m-%d %H:%M} 发来的对{org_name}清单的审核意见，与此前登记的第 {reply_version} 次意见完全相同，"
        "未重复登记。如需修改意见，请修改后重新回复。", SIGNATURE])


def opinion_rejected(*, agency_name: str, org_name: str, filename: str, problems: list[Problem], problem_count: int,
                     deadline: date | None, tag: str, received: datetime) -> Letter:
    shown = problems[:LISTED_IN_BODY]
    lines = [f"{agency_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 发来的「{filename or '邮件'}」未能登记为对{org_name or '该'}清单的审核意见，"
             f"共发现 {problem_count} 处问题，现一次性告知如下（附件「问题清单.xlsx」列出全部问题）：",
             *[f"{n}. {p.where()}：{p.what}。修改方法：{p.fix}" for n, p in enumerate(shown, start=1)],
             "请逐项修改后直接回复本邮件，重新发送完整的审核意见表。"
             + (f"审核期限为 {deadline:%Y年%-m月%-d日}。" if deadline else ""),
             SIGNATURE]
    return _letter(f"【回执】审核意见未能登记，请修改后重新发送（{org_name or agency_name}）{tag}", lines)


def late_opinion_notice(*, agency_name: str, org_name: str, submission_id: int, received: datetime) -> Letter:
    return _letter(f"【提请研究】{agency_name}在汇总后发来对{org_name}清单的审核意见", [
        f"{agency_name} {received:%Y-%m-%d %H:%M} 发来对{org_name}清单（送审编号 {submission_id}）的审核意见，"
        "此时书面审核意见已经汇总。意见已登记并标注为「汇总后收到」，未改变已发出的综合意见。",
        f"请研究是否需要补充意见：reform review status --submission {submission_id}", SIGNATURE])


def conflicts_notice(*, org_name: str, submission_id: int, conflicts: list[list[str]]) -> Letter:
    lines = [f"{org_name}清单（送审编号 {submission_id}）四家单位的审核意见已全部收到，"
             f"其中 {len(conflicts)} 个事项意见不一致，需要协调决定：",
             f"决定后书面审核意见将自动发给{org_name}。命令示例：reform review decide {submission_id} 序号 "
             "--opinion 取消 --reason 理由"]
    return _letter(f"【待协调】{org_name}清单有 {len(conflicts)} 个事项审核意见不一致", lines, conflicts,
                   ["序号", "事项名称", "各单位意见"])


def consolidated_letter(*, org_name: str, version: int, counts: dict[str, int], response_due: date,
                        reply_address: str, tag: str, filename: str) -> Letter:
    tally = "，".join(f"{k} {v} 项" for k, v in counts.items() if v)
    return _letter(f"【书面审核意见】{org_name}公共服务事项清单（第 {version} 版）{tag}", [
        f"{org_name}：",
        f"市编委办、法制办、财政局、政务服务办已完成对贵单位清单（第 {version} 版）的并联审核，"
        f"书面审核意见见附件「{filename}」。综合意见：{tally}。",
        f"请研究提出意见，于 {response_due:%Y年%-m月%-d日} 前按综合意见修改清单，"
        f"将修改后的「公共服务事项清单」工作簿直接回复本邮件（{reply_address}）。",
        SIGNATURE])


def response_receipt(*, org_name: str, version: int, summary: str, changes: list[list[str]], tag: str) -> Letter:
    return _letter(f"【回执】修改后的清单已收到，进入复核（{org_name}）{tag}", [
        f"{org_name}：",
        f"贵单位按书面审核意见修改的清单（第 {version} 版）已收到，与上一版相比：{summary}。市编委办将进行复核。",
        SIGNATURE], changes, ["变化", "事项名称", "说明"])


def guides_verdict_letter(*, org_name: str, version: int, agencies: str, revise: list[list[str]], agreed: int,
                          due: date | None, reply_address: str, tag: str, filename: str) -> Letter:
    """The two reviewers' verdict on a department's guides: agreed, or which items to revise and why."""
    if not revise:
        return _letter(f"【审核通过】{org_name}办事指南（第 {version} 版）{tag}", [
            f"{org_name}：",
            f"{agencies}已完成对贵单位办事指南（第 {version} 版）的审核，{agreed} 个事项的办事指南全部同意，"
            "编制办事指南任务已完成。审核意见见附件「" + filename + "」。", SIGNATURE])
    return _letter(f"【审核意见】{org_name}办事指南（第 {version} 版）有 {len(revise)} 个事项需要修改 {tag}", [
        f"{org_name}：",
        f"{agencies}已完成对贵单位办事指南（第 {version} 版）的审核：同意 {agreed} 个事项，"
        f"以下 {len(revise)} 个事项需要修改（审核意见见附件「{filename}」）。",
        f"请于 {due:%Y年%-m月%-d日} 前修改，将修改后的完整办事指南工作簿直接回复本邮件（{reply_address}）。"
        if due else f"请修改后将完整的办事指南工作簿直接回复本邮件（{reply_address}）。",
        SIGNATURE], revise, ["序号", "事项名称", "审核意见"])


def certificates_verdict_letter(*, org_name: str, version: int, counts: dict[str, int], changed: list[list[str]],
                                tag: str, filename: str) -> Letter:
    """The review's decision on a department's certificate ledger, certificate by certificate."""
    tally = "，".join(f"{k} {v} 项" for k, v in counts.items() if v)
    lines = [f"{org_name}：",
             f"市编委办、法制办、财政局、政务服务办已完成对贵单位证明事项清理表（第 {version} 版）的并联审核，"
             f"审定的处理方式：{tally}。审核意见见附件「{filename}」。"]
    if changed:
        lines.append(f"其中 {len(changed)} 项证明的处理方式与贵单位拟定的不同，见下表；请按审定的处理方式执行。")
    lines += ["列入取消清单的证明，自公布之日起不得再要求申请人提供。", SIGNATURE]
    return _letter(f"【审核结果】{org_name}证明事项清理表（第 {version} 版）{tag}", lines, changed or None,
                   ["证明名称", "拟处理方式", "审定处理方式"])
