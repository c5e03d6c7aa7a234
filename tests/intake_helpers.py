"""Shared steps of the intake tests: a department called, a workbook filled in, a reply written."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import load_workbook

from core.settings import get_settings
from demo.samples import filled_workbook, item_rows, reply_mail
from registry.campaign.obligations import find_obligation
from registry.db import transaction
from registry.inbound.sorting import take_in_mail
from registry.intake.calls import queue_call
from registry.intake.workbooks import IntakeResult
from registry.outbox.tables import OutboxMessage
from workbooks import inventory_schema as s

NOW = datetime(2016, 7, 20, 10, 0)


@dataclass(frozen=True)
class Call:
    obligation_id: int
    sender: str  # the department's registered contact
    reply_to: str  # intake+<token>@…
    subject: str
    template: bytes


def call(url: str, org_code: str) -> Call:
    with transaction(url) as session:
        obligation = find_obligation(session, "inventory", org_code)
        outbox_id, _ = queue_call(session, obligation.id, get_settings(), NOW)
        row = session.get(OutboxMessage, outbox_id)
        return Call(obligation.id, row.to_addrs[0], row.reply_to, row.subject, row.attachments[0].content)


def good_workbook(c: Call, rows: int = 3) -> bytes:
    return filled_workbook(c.template, item_rows(rows))


def edited(workbook: bytes, edit) -> bytes:
    """The workbook after ``edit(book)`` changed it the way a person might."""
    book = load_workbook(io.BytesIO(workbook))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def items_sheet(book):
    return book[s.ITEM_SHEET]


def reply(c: Call, attachments: list[tuple[str, bytes]], **extra) -> bytes:
    extra.setdefault("sender", c.sender)
    return reply_mail(sender_name="联系人", to=c.reply_to, subject="回复：" + c.subject, attachments=attachments,
                      **extra)


def take_in(url: str, raw: bytes, now: datetime = NOW) -> IntakeResult:
    with transaction(url) as session:
        return take_in_mail(session, raw, get_settings(), now)


def outbox(url: str, kind: str | None = None) -> list[OutboxMessage]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    with transaction(url) as session:
        query = select(OutboxMessage).options(selectinload(OutboxMessage.attachments)).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query))
