"""Shared steps of the guides and certificates tests: a department's list approved, its guides and
ledger calls read, the workbooks filled in and returned the way its staff would."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from demo.documents import work_plan_docx, work_plan_pdf
from demo.guide_samples import ATTACHMENTS
from demo.samples import reply_mail
from registry.campaign.obligations import find_obligation
from registry.db import transaction
from registry.outbox.tables import OutboxMessage
from registry.review.approval import approve
from tests.intake_helpers import take_in
from tests.review_helpers import accepted_list

APPROVED_AT = datetime(2016, 10, 28, 17, 0)
SENT = datetime(2016, 11, 10, 10, 0)
FORMS = [(ATTACHMENTS[0], work_plan_docx("申请表")), (ATTACHMENTS[1], work_plan_pdf("sample")),
         (ATTACHMENTS[2], work_plan_pdf("mistakes"))]


@dataclass(frozen=True)
class Call:
    obligation_id: int
    sender: str
    reply_to: str
    subject: str
    filename: str
    template: bytes


def approved_department(url: str, org_code: str = "jyj", rows: int = 3) -> None:
    """The department's list accepted and the city's approval recorded (forced: review is not the point)."""
    accepted_list(url, org_code, rows)
    with transaction(url) as session:
        approve(session, date(2016, 10, 28), "市政府第 62 次常务会议", "沈政办发〔2016〕88号", "coordinator",
                APPROVED_AT, force_reason="测试：只审定一个部门")


def call_for(url: str, phase: str, org_code: str = "jyj") -> Call:
    """What the department received when the list was approved: the call with its workbook."""
    with transaction(url) as session:
        obligation = find_obligation(session, phase, org_code)
        message = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"call:{phase}:{obligation.id}"))
        [attachment] = message.attachments
        return Call(obligation.id, message.to_addrs[0], message.reply_to, message.subject, attachment.filename,
                    attachment.content)


def send(url: str, c: Call, workbook: bytes, files=(), now: datetime = SENT):
    raw = reply_mail(sender=c.sender, sender_name="联系人", to=c.reply_to, subject="回复：" + c.subject,
                     attachments=[(c.filename, workbook), *files])
    return take_in(url, raw, now)
