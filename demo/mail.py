"""The inventory and the districts' work plans in `reform demo`, by email on the real path.

The kickoff flow sends each department its call through the outbox to the demo's local SMTP server
(demo.mail_server.local_smtp files it in the departments' Maildir). Simulated departments
read their call there, fill in the attached template and reply through a second local SMTP server,
the intake "MX", which files replies in the intake Maildir; the mailbox-intake flow polls it,
validates, stores and sends receipts. Some departments reply on time, some late, some with
mistakes they fix after the receipt, some with zero reports. After the city's approval the districts
and regulators get their call for a 工作方案 (no template); they answer with a PDF or DOCX, and a few
first send the service-item workbook by mistake, which intake refuses by its kind, until the plan
follows. Seeded: every run tells the same story.
"""
from __future__ import annotations

import dataclasses
import mailbox
import os
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from email import message_from_bytes, policy
from email.parser import BytesHeaderParser
from pathlib import Path

import aiosmtplib

from core.settings import get_settings
from demo.documents import work_plan_docx, work_plan_pdf
from demo.mail_server import start_maildir_server
from demo.samples import filled_workbook, item_rows, reply_mail
from flows.intake import intake_flow
from flows.kickoff import kickoff_flow
from registry.directory.service import contact_addresses

INVENTORY, WORK_PLANS = "inventory", "district_plans"
# The districts follow the city (2016年12月底前): their call goes out once the city's list is approved.
WORK_PLANS_KICKOFF = date(2016, 11, 1)
SENT_AT, POLLED_AT = time(10), time(16)
OUTCOME_WORDS = {"accepted": "通过", "zero_report": "零报告", "rejected": "退回", "quarantined": "隔离",
                 "misrouted": "拒收"}


@dataclass(frozen=True)
class Reply:
    phase: str
    org_code: str
    org_name: str
    sender: str
    kind: str  # good | zero | mistakes | fixed; for work plans: pdf | docx | wrong | plan


@dataclass(frozen=True)
class Call:
    reply_to: str
    subject: str
    template: bytes | None  # the work-plan call carries none


class SubmissionsByMail:
    """Takes the inventory and the work plans off the demo's simulated schedule and runs them by email."""

    def __init__(self, workspace: Path, replies: dict[date, list[Reply]], kickoff_on: date) -> None:
        self.outgoing = mailbox.Maildir(str(workspace / "mail"), create=True)  # what the system sent
        self.intake_dir = workspace / "intake-maildir"
        self.replies = replies
        self.kickoff_on = kickoff_on
        self.calls: dict[tuple[str, str], Call] = {}  # by (address, phase)
        self.read_keys: set[str] = set()
        self.controller, self.port = start_maildir_server(self.intake_dir)  # the intake "MX"
        os.environ["REFORM_INTAKE_MAILBOX"] = "maildir"
        os.environ["REFORM_MAILDIR_PATH"] = str(self.intake_dir)

    @classmethod
    def take_over(cls, workspace: Path, schedule: dict, kickoff_on: date, calendar) -> SubmissionsByMail:
        """Remove the inventory and work-plan deliveries from ``schedule``; each becomes a reply by email that day."""
        senders = contact_addresses(get_settings().database_url)
        rng = random.Random(73)
        replies: dict[date, list[Reply]] = {}
        for day in sorted(schedule):
            for delivery in [d for d in schedule[day] if d.phase in (INVENTORY, WORK_PLANS)]:
                schedule[day].remove(delivery)
                roll = rng.random()
                if delivery.phase == INVENTORY:
                    kind, then = ("zero" if roll < 0.15 else "mistakes" if roll < 0.4 else "good"), "fixed"
                else:
                    kind, then = ("wrong" if roll < 0.2 else "docx" if roll < 0.5 else "pdf"), "plan"
                reply = Reply(delivery.phase, delivery.org_code, delivery.org_name, senders[delivery.org_code], kind)
                replies.setdefault(day, []).append(reply)
                if kind in ("mistakes", "wrong"):  # the corrected file follows two working days after the receipt
                    fixed = calendar.add_working_days(day, 2)
                    replies.setdefault(fixed, []).append(dataclasses.replace(reply, kind=then))
        return cls(workspace, replies, kickoff_on)

    def close(self) -> None:
        self.controller.stop()

    async def day(self, day: date) -> list[str]:
        """What happens by mail today: a kickoff, replies sent, the mailbox polled."""
        lines = []
        if day == self.kickoff_on:
            result = await kickoff_flow(INVENTORY, now=datetime.combine(day, SENT_AT))
            lines.append(f"[cyan]phase-kickoff[/] 向 {result['calls']} 个单位发出清理自查通知（附模板和回复地址），"
                         f"邮件发出 {result['sent']} 封")
        if day == WORK_PLANS_KICKOFF:
            result = await kickoff_flow(WORK_PLANS, now=datetime.combine(day, SENT_AT))
            lines.append(f"[cyan]phase-kickoff[/] 向 {result['calls']} 个区县（市）和行业主管部门发出报送工作方案的通知"
                         f"（PDF、DOCX 或 OFD，不附表格模板），邮件发出 {result['sent']} 封")
        sent = [await self._send(reply, day) for reply in self.replies.pop(day, [])]
        inventory = Counter(r.kind for r in sent if r.phase == INVENTORY)
        if inventory:
            lines.append(f"各单位回复邮件 {inventory.total()} 封：填报清单 {inventory['good']}，零报告 {inventory['zero']}，"
                         f"有错误的 {inventory['mistakes']}，收到回执后修改重报 {inventory['fixed']}")
        plans = Counter(r.kind for r in sent if r.phase == WORK_PLANS)
        if plans:
            words = (("pdf", "PDF"), ("docx", "DOCX"), ("wrong", "误发事项清单的"), ("plan", "收到回执后改发工作方案"))
            lines.append(f"工作方案回复邮件 {plans.total()} 封：" + "，".join(f"{w} {plans[k]}" for k, w in words if plans[k]))
        if any(self.intake_dir.glob("new/*")):
            lines += await self._poll(day)
        return lines

    async def _poll(self, day: date) -> list[str]:
        results = await intake_flow(now=datetime.combine(day, POLLED_AT))
        counts = Counter(r["outcome"] for r in results)
        summary = "，".join(f"{OUTCOME_WORDS.get(o, o)} {n}" for o, n in counts.items())
        items = sum(r["items"] for r in results)
        line = f"[cyan]mailbox-intake[/] 收取 {len(results)} 封：{summary}；登记事项 {items} 项，回执已发出"
        rejected = [r for r in results if r["outcome"] == "rejected"]
        if rejected:
            problems = sum(r["problems"] for r in rejected)
            line += f"（退回的 {len(rejected)} 份共 {problems} 处问题，已一次性告知）"
        return [line]

    async def _send(self, reply: Reply, day: date) -> Reply:
        call = self._call_for(reply.sender, reply.phase)
        rng = random.Random(reply.org_code)
        rows = item_rows(rng.randint(3, 15), seed=rng.randint(0, 10**6), implementer=reply.org_name)
        if reply.kind == "mistakes":
            rows[0][3] = "社保"  # not in the drop-down
            rows[-1][7] = "2016-07-20"  # a date where working days belong
            rows[1][5] = ""  # the implementer left empty
        if reply.kind == "pdf":
            attachment = (f"{reply.org_name}工作方案.pdf", work_plan_pdf())
        elif reply.kind in ("docx", "plan"):
            attachment = (f"{reply.org_name}工作方案.docx", work_plan_docx(f"{reply.org_name}简化优化公共服务流程工作方案"))
        else:  # an inventory workbook, also the one sent by mistake against a work-plan call
            attachment = ("公共服务事项清单.xlsx", filled_workbook(call.template, [] if reply.kind == "zero" else rows,
                                                           zero_report=reply.kind == "zero"))
        raw = reply_mail(sender=reply.sender, sender_name=f"{reply.org_name}联系人", to=call.reply_to,
                         subject="回复：" + call.subject, attachments=[attachment],
                         charset="gbk" if rng.random() < 0.3 else "utf-8",  # some clients still write GBK
                         when=datetime.combine(day, SENT_AT))
        await aiosmtplib.send(raw, sender=reply.sender, recipients=[call.reply_to], hostname="127.0.0.1",
                              port=self.port)
        return reply

    def _call_for(self, address: str, phase: str) -> Call:
        """The department opens its mailbox and finds the call (the demo's outgoing Maildir)."""
        if (address, phase) not in self.calls:
            for key in self.outgoing.keys():
                if key in self.read_keys:
                    continue
                self.read_keys.add(key)
                raw = self.outgoing.get_bytes(key)
                # Most of the mail is receipts, packets and reminders: the headers tell a call apart.
                headers = BytesHeaderParser(policy=policy.default).parsebytes(raw)
                subject = str(headers["Subject"])
                if headers["Reply-To"] and "[RF-" in subject and subject.startswith("关于") and "通知" in subject:
                    message = message_from_bytes(raw, policy=policy.default)
                    templates = [p.get_content() for p in message.iter_attachments()]
                    called = WORK_PLANS if "工作方案" in subject else INVENTORY
                    self.calls.setdefault((str(message["To"]), called),
                                          Call(str(message["Reply-To"]), subject, templates[0] if templates else None))
        return self.calls[(address, phase)]
