"""The letters of the intake phase, in Chinese: the call, receipts (回执) and notices to the coordinator.

Pure text: plain values in, subject and bodies out. Anything that came from a submitter is escaped
in HTML; headers are made safe by notifications.compose when the message is built.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from core.problems import Problem

# A receipt's body lists this many problems; the attached 问题清单.xlsx lists every one.
LISTED_IN_BODY = 100


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str
    html: str


def letter_html(paragraphs: list[str], table: list[list[str]] | None = None, header: list[str] | None = None) -> str:
    body = "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
    if table:
        head = "".join(f"<th>{escape(h)}</th>" for h in header or [])
        rows = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in table)
        body += f'<table border="1" cellpadding="4" style="border-collapse:collapse"><tr>{head}</tr>{rows}</table>'
    return f'<html><body style="font-family:SimSun,serif">{body}</body></html>'


def call_letter(*, org_name: str, campaign_name: str, phase_name: str, deadline: date, source_phrase: str,
                reply_address: str, tag: str, filename: str) -> Letter:
    subject = f"关于报送公共服务事项清单的通知（{org_name}）{tag}"
    lines = [
        f"{org_name}：",
        f"根据《{campaign_name}》工作方案，请贵单位开展公共服务事项{phase_name}，"
        f"于 {deadline:%Y年%-m月%-d日}（方案要求：{source_phrase}）前报送公共服务事项清单。",
        f"请填写附件「{filename}」，填好后直接回复本邮件（回复地址：{reply_address}），不要修改主题中的编号 {tag}。"
        "没有公共服务事项的单位，请在封面将「零报告」选为「是」后回复。",
        "系统收到后几分钟内回执；如有问题，将一次性告知全部问题及修改方法。",
        "市编委办",
    ]
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


def accepted_receipt(*, org_name: str, version: int, filename: str, tag: str, zero_report: bool,
                     summary: dict, received: datetime) -> Letter:
    if zero_report:
        subject = f"【回执】零报告已收到（{org_name}）{tag}"
        lines = [f"{org_name}：", f"贵单位 {received:%Y-%m-%d %H:%M} 报送的零报告（第 {version} 版）已收到并登记，"
                 "本阶段报送任务已完成。如今后发现有公共服务事项，请回复本邮件重新报送清单。", "市编委办"]
        return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))
    subject = f"【回执】公共服务事项清单已通过校验（{org_name}）{tag}"
    counts = "；".join(f"{c} {n} 项" for c, n in summary["by_category"].items())
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename}」（第 {version} 版）已通过校验，"
             f"共 {summary['total']} 个事项。各类别：{counts}。"]
    flagged = summary["without_basis"]
    if flagged:
        lines.append(f"以下 {len(flagged)} 个事项未填写设定依据，将在审核时重点核查，请准备相关说明：")
    lines_after = ["如需修改，请回复本邮件报送新版本，新版本将取代本版本。", "市编委办"]
    table = [[f"第 {row} 行", name] for row, name in flagged]
    text = "\n\n".join(lines) + "\n" + "".join(f"  {r}：{n}\n" for r, n in table) + "\n" + "\n\n".join(lines_after) + "\n"
    return Letter(subject, text, letter_html(lines, table, ["行", "事项名称"]) .replace("</body>", _tail(lines_after)))


def _tail(lines: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in lines) + "</body>"


def rejected_receipt(*, org_name: str, version: int, filename: str, tag: str, problems: list[Problem],
                     problem_count: int, deadline: date | None, earlier_stands: bool, received: datetime) -> Letter:
    subject = f"【回执】公共服务事项清单未通过校验，请修改后重新报送（{org_name}）{tag}"
    shown = problems[:LISTED_IN_BODY]
    numbered = f"（第 {version} 版）" if version else ""
    intro = (f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename or '邮件'}」{numbered}未通过校验，"
             f"共发现 {problem_count} 处问题，现一次性告知如下：")
    lines = [f"{org_name}：", intro]
    after = []
    if problem_count > len(shown):
        after.append(f"正文列出前 {len(shown)} 处，附件「问题清单.xlsx」列出全部问题（最多 {len(problems)} 处）。")
    after.append("请逐项修改后直接回复本邮件，重新发送完整的工作簿。"
                 + (f"报送期限为 {deadline:%Y年%-m月%-d日}。" if deadline else ""))
    if earlier_stands:
        after.append("此前已通过校验的版本继续有效，直至新版本通过校验。")
    after.append("市编委办")
    table = [[p.where(), p.what, p.fix] for p in shown]
    text = ("\n\n".join(lines) + "\n\n"
            + "".join(f"{n}. {w}：{what}。修改方法：{fix}\n" for n, (w, what, fix) in enumerate(table, start=1))
            + "\n" + "\n\n".join(after) + "\n")
    return Letter(subject, text, letter_html(lines, table, ["位置", "问题", "修改方法"]).replace("</body>", _tail(after)))


def quarantine_notice(*, sender: str, subject: str, attachments: list[str], received: datetime) -> Letter:
    lines = ["收件邮箱收到一封来自未登记地址的邮件，系统已隔离，未作回复：",
             f"发件人：{sender or '（无）'}\n主题：{subject or '（无）'}\n附件：{'、'.join(attachments) or '无'}\n"
             f"收到时间：{received:%Y-%m-%d %H:%M}",
             "如发件人确为某单位的工作人员，请在组织目录中登记其邮箱，并请其重新发送。"]
    return Letter(f"【隔离】未登记地址来信：{sender}", "\n\n".join(lines) + "\n", letter_html(lines))


def misrouted_notice(*, sender: str, sender_org: str, token_org: str, subject: str, received: datetime) -> Letter:
    lines = [f"{sender_org}的登记邮箱 {sender} 使用了{token_org}的报送编号发来邮件，系统已拒收并告知发件人：",
             f"主题：{subject or '（无）'}\n收到时间：{received:%Y-%m-%d %H:%M}",
             "如属代为报送，请与两个单位核实后处理。"]
    return Letter(f"【拒收】{sender_org}使用了{token_org}的报送编号", "\n\n".join(lines) + "\n", letter_html(lines))


def complaint_acknowledgement(complaint_id: int, subject: str, received: datetime) -> Letter:
    lines = [f"您好！您 {received:%Y-%m-%d} 发来的投诉（{subject or '无主题'}）已登记，编号为第 {complaint_id} 号。",
             "我们将转交承办单位，自分派之日起 15 个工作日内答复您；答复后欢迎您对办理结果作出评价。",
             "沈阳市机构编制委员会办公室"]
    return Letter(f"【投诉已登记】第 {complaint_id} 号", "\n\n".join(lines) + "\n", letter_html(lines))
