"""The letters of the intake phase, in Chinese: the call, receipts (回执) and notices to the coordinator.

Pure text: plain values in, subject and bodies out. Anything that came from a submitter is escaped
in HTML; headers are made safe by notifications.compose when the message is built.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from html import escape

from core.problems import Problem
from rules.documents import Document, DocumentKind

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


def call_letter(*, org_name: str, campaign_name: str, phase_name: str, document: Document, deadline: date,
                source_phrase: str, reply_address: str, tag: str, filename: str = "") -> Letter:
    """The call of a phase: it asks for the phase's own document, and names the template only when
    one is attached (``filename``)."""
    ask = CALL_LETTERS[document.kind](_CallFacts(
        plan=f"根据《{campaign_name}》工作方案，", phase_name=phase_name,
        by=f"于 {deadline:%Y年%-m月%-d日}（方案要求：{source_phrase}）前",
        reply=f"直接回复本邮件（回复地址：{reply_address}），不要修改主题中的编号 {tag}。",
        filename=filename, document=document))
    subject = f"{ask.subject}（{org_name}）{tag}"
    lines = [f"{org_name}：", *ask.lines, "市编委办"]
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


@dataclass(frozen=True)
class _CallFacts:
    """The phrases every call is made of."""

    plan: str  # 根据《…》工作方案，
    phase_name: str
    by: str  # 于 …（方案要求：…）前
    reply: str  # how to reply, ending in a full stop
    filename: str  # the attached template, "" when there is none
    document: Document


@dataclass(frozen=True)
class _Ask:
    subject: str
    lines: tuple[str, ...]


_RECEIPT_SOON = "系统收到后几分钟内回执；如有问题，将一次性告知全部问题及修改方法。"


def _inventory_call(f: _CallFacts) -> _Ask:
    return _Ask("关于报送公共服务事项清单的通知", (
        f"{f.plan}请贵单位开展公共服务事项{f.phase_name}，{f.by}报送公共服务事项清单。",
        f"请填写附件「{f.filename}」，填好后{f.reply}没有公共服务事项的单位，请在封面将「零报告」选为「是」后回复。",
        _RECEIPT_SOON))


def _work_plan_call(f: _CallFacts) -> _Ask:
    return _Ask("关于报送工作方案的通知", (
        f"{f.plan}坚持市和区、县（市）同步推进，请贵单位结合本地区（本行业）实际制定简化优化公共服务流程的工作方案，"
        f"{f.by}报送市编委办。",
        f"请将工作方案（{f.document.formats_text}，一份；盖章文件可扫描为 PDF）作为附件{f.reply}本阶段不需要填写表格模板。",
        _RECEIPT_SOON))


def _guides_call(f: _CallFacts) -> _Ask:
    return _Ask("关于编制办事指南的通知", (
        f"{f.plan}请贵单位对经市政府审定的公共服务事项逐项编制办事指南，列明办理依据、受理单位、基本流程、申请材料、"
        f"示范文本及常见错误示例、收费依据及标准、办理时限、表格下载、咨询渠道、办公时间和地址、监督途径等内容，"
        f"并细化到每个环节，{f.by}完成。",
        f"附件「{f.filename}」已按审定的清单列出贵单位的全部事项，并预填了事项名称、实施主体、设定依据、办理时限和收费。"
        f"请逐项补全后{f.reply}空白表格、示范文本和常见错误示例可填写网址，或作为附件随同一封邮件发送（在表中写明文件名）。",
        "办事指南通过校验后，由市编委办、市政务服务办审核；需要修改的，将把审核意见发给贵单位。", _RECEIPT_SOON))


def _certificates_call(f: _CallFacts) -> _Ask:
    return _Ask("关于清理证明和盖章环节的通知", (
        f"{f.plan}请贵单位对本单位公共服务事项要求申请人提供的证明和盖章环节逐项清理，"
        f"凡没有法律法规依据的，原则上一律取消，{f.by}完成并报送证明事项清理表。",
        f"附件「{f.filename}」已按审定清单中各事项的「所需证明材料」逐项列出，请写明开具单位、设定依据及其层级和拟处理方式"
        f"（保留、取消、告知承诺、信息共享替代、其他证照替代），如有遗漏请补充，填好后{f.reply}",
        "没有法律、行政法规、地方性法规或规章依据的证明不能保留。清理表通过校验后，由市编委办、法制办、财政局、"
        "政务服务办并联审核。", _RECEIPT_SOON))


def _publication_call(f: _CallFacts) -> _Ask:
    return _Ask("关于公布公共服务事项清单和办事指南的通知", (
        f"{f.plan}请贵单位按「{f.phase_name}」的要求，{f.by}在本单位（本地区）网站向社会公布经审定的公共服务事项清单和办事指南。",
        "清单在市政府网站公布时，系统将把贵单位的页面包（清单、办事指南、证明事项清理结果）发给贵单位，可直接放到本单位网站上。"
        "公布后，请回复页面包邮件，在正文中写明公布网址。"))


# One for every document that rules.documents says a kickoff calls for.
CALL_LETTERS = {DocumentKind.INVENTORY: _inventory_call, DocumentKind.WORK_PLAN: _work_plan_call,
                DocumentKind.GUIDES: _guides_call, DocumentKind.CERTIFICATES: _certificates_call,
                DocumentKind.PUBLICATION_ADDRESS: _publication_call}


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


def document_receipt(*, org_name: str, document_name: str, version: int, filename: str, sha256: str, tag: str,
                     received: datetime) -> Letter:
    """A document (a work plan) kept as it came: no rows to check, its digest to show it is the one."""
    subject = f"【回执】{document_name}已收到（{org_name}）{tag}"
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename}」（第 {version} 版）已收到并登记为{document_name}，"
             "本阶段报送任务已完成。",
             f"文件摘要（SHA-256）：{sha256}",
             "如需修改，请回复本邮件报送新版本，新版本将取代本版本。", "市编委办"]
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


def not_taken_in_receipt(*, org_name: str, phase_name: str, document_name: str, tag: str,
                         received: datetime) -> Letter:
    """A reply for a phase whose document is not sent in by mail: nothing was stored."""
    subject = f"【回执】{phase_name}阶段的材料不通过邮件受理（{org_name}）{tag}"
    lines = [f"{org_name}：",
             f"贵单位 {received:%Y-%m-%d %H:%M} 发来的邮件已收到。「{phase_name}」阶段的{document_name}"
             "不通过邮件报送，由市编委办按规定登记，本邮件未作登记，本项任务仍待完成。",
             "如有疑问，请与市编委办联系。", "市编委办"]
    return Letter(subject, "\n\n".join(lines) + "\n", letter_html(lines))


def _tail(lines: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in lines) + "</body>"


def rejected_receipt(*, org_name: str, version: int, filename: str, tag: str, problems: list[Problem],
                     problem_count: int, deadline: date | None, earlier_stands: bool, received: datetime,
                     document_name: str = "公共服务事项清单", resend: str = "完整的工作簿") -> Letter:
    """``document_name`` is what the obligation asks for; "" where no obligation is known."""
    subject = f"【回执】{document_name or '报送材料'}未通过校验，请修改后重新报送（{org_name}）{tag}"
    shown = problems[:LISTED_IN_BODY]
    numbered = f"（第 {version} 版）" if version else ""
    intro = (f"贵单位 {received:%Y-%m-%d %H:%M} 报送的「{filename or '邮件'}」{numbered}未通过校验，"
             f"共发现 {problem_count} 处问题，现一次性告知如下：")
    lines = [f"{org_name}：", intro]
    after = []
    if problem_count > len(shown):
        after.append(f"正文列出前 {len(shown)} 处，附件「问题清单.xlsx」列出全部问题（最多 {len(problems)} 处）。")
    after.append(f"请逐项修改后直接回复本邮件，重新发送{resend}。"
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
