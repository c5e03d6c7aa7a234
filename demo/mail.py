"""The inventory phase of `reform demo`, by email on the real path.

The kickoff flow sends each department its call through the outbox to the demo's local SMTP server
(demo.mail_server.local_smtp files it in the departments' Maildir). Simulated departments
read their call there, fill in the attached template and reply through a second local SMTP server,
the intake "MX", which files replies in the intake Maildir; the mailbox-intake flow polls it,
validates, stores and sends receipts. Some departments reply on time, some late, some with
mistakes they fix after the receipt, some with zero reports. Seeded: every run tells the same story.
"""
from __future__ import annotations

import mailbox
import os
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from email import message_from_bytes, policy
from pathlib import Path

import aiosmtplib

from core.settings import get_settings
from demo.mail_server import start_maildir_server
from demo.samples import filled_workbook, item_rows, reply_mail
from flows.intake import intake_flow
from flows.kickoff import kickoff_flow
from registry.directory.service import contact_addresses

PHASE = "inventory"
SENT_AT, POLLED_AT = time(10), time(16)
OUTCOME_WORDS = {"accepted": "通过", "zero_report": "零报告", "rejected": "退回", "quarantined": "隔离",
                 "misrouted": "拒收"}


@dataclass(frozen=True)
class Reply:
    org_code: str
    org_name: str
    sender: str
    kind: str  # good | zero | mistakes


@dataclass(frozen=True)
class Call:
    reply_to: str
    subject: str
    template: bytes


class InventoryByMail:
    """Takes the inventory phase off the demo's simulated schedule and runs it by email instead."""

    def __init__(self, workspace: Path, replies: dict[date, list[Reply]], kickoff_on: date) -> None:
        self.outgoing = mailbox.Maildir(str(workspace / "mail"), create=True)  # what the system sent
        self.intake_dir = workspace / "intake-maildir"
        self.replies = replies
        self.kickoff_on = kickoff_on
        self.calls: dict[str, Call] = {}
        self.read_keys: set[str] = set()
        self.controller, self.port = start_maildir_server(self.intake_dir)  # the intake "MX"
        os.environ["REFORM_INTAKE_MAILBOX"] = "maildir"
        os.environ["REFORM_MAILDIR_PATH"] = str(self.intake_dir)

    @classmethod
    def take_over(cls, workspace: Path, schedule: dict, kickoff_on: date, calendar) -> InventoryByMail:
        """Remove the inventory deliveries from ``schedule``; each becomes a reply by email that day."""
        senders = contact_addresses(get_settings().database_url)
        rng = random.Random(73)
        replies: dict[date, list[Reply]] = {}
        for day in sorted(schedule):
            for delivery in [d for d in schedule[day] if d.phase == PHASE]:
                schedule[day].remove(delivery)
                roll = rng.random()
                kind = "zero" if roll < 0.15 else "mistakes" if roll < 0.4 else "good"
                reply = Reply(delivery.org_code, delivery.org_name, senders[delivery.org_code], kind)
                replies.setdefault(day, []).append(reply)
                if kind == "mistakes":  # the corrected workbook follows two working days after the receipt
                    fixed = calendar.add_working_days(day, 2)
                    replies.setdefault(fixed, []).append(Reply(reply.org_code, reply.org_name, reply.sender, "fixed"))
        return cls(workspace, replies, kickoff_on)

    def close(self) -> None:
        self.controller.stop()

    async def day(self, day: date) -> list[str]:
        """What happens in the inventory phase today: the kickoff, replies sent, the mailbox polled."""
        lines = []
        if day == self.kickoff_on:
            result = await kickoff_flow(PHASE, now=datetime.combine(day, SENT_AT))
            lines.append(f"[cyan]phase-kickoff[/] 向 {result['calls']} 个单位发出清理自查通知（附模板和回复地址），"
                         f"邮件发出 {result['sent']} 封")
        sent = [await self._send(reply, day) for reply in self.replies.pop(day, [])]
        if sent:
            kinds = Counter(r.kind for r in sent)
            lines.append(f"各单位回复邮件 {len(sent)} 封：填报清单 {kinds['good']}，零报告 {kinds['zero']}，"
                         f"有错误的 {kinds['mistakes']}，收到回执后修改重报 {kinds['fixed']}")
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
        call = self._call_for(reply.sender)
        rng = random.Random(reply.org_code)
        rows = item_rows(rng.randint(3, 15), seed=rng.randint(0, 10**6), implementer=reply.org_name)
        if reply.kind == "mistakes":
            rows[0][3] = "社保"  # not in the drop-down
            rows[-1][7] = "2016-07-20"  # a date where working days belong
            rows[1][5] = ""  # the implementer left empty
        workbook = filled_workbook(call.template, [] if reply.kind == "zero" else rows, zero_report=reply.kind == "zero")
        raw = reply_mail(sender=reply.sender, sender_name=f"{reply.org_name}联系人", to=call.reply_to,
                         subject="回复：" + call.subject, attachments=[("公共服务事项清单.xlsx", workbook)],
                         charset="gbk" if rng.random() < 0.3 else "utf-8",  # some clients still write GBK
                         when=datetime.combine(day, SENT_AT))
        await aiosmtplib.send(raw, sender=reply.sender, recipients=[call.reply_to], hostname="127.0.0.1",
                              port=self.port)
        return reply

    def _call_for(self, address: str) -> Call:
        """The department opens its mailbox and finds the call (the demo's outgoing Maildir)."""
        if address not in self.calls:
            for key in self.outgoing.keys():
                if key in self.read_keys:
                    continue
                self.read_keys.add(key)
                message = message_from_bytes(self.outgoing.get_bytes(key), policy=policy.default)
                if message["Reply-To"] and "[RF-" in str(message["Subject"]) and "通知" in str(message["Subject"]):
                    [template] = [p.get_content() for p in message.iter_attachments()]
                    self.calls[str(message["To"])] = Call(str(message["Reply-To"]), str(message["Subject"]), template)
        return self.calls[address]
