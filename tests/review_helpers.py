"""Shared steps of the review tests: a department's list accepted, routed, the packets filled in and
returned by the agencies the way their staff would."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from core.settings import get_settings
from demo.samples import reply_mail
from registry.campaign.tables import Obligation, Phase
from registry.db import transaction
from registry.directory.tables import Organisation
from registry.outbox.tables import OutboxMessage
from registry.review.merge import merge_submission
from registry.review.routing import route_submission
from tests.intake_helpers import call, good_workbook, reply, take_in
from workbooks.review_packet import OPINION, SHEET

AGENCIES = ("bwb", "fzb", "czj", "zwfwb")
ROUTED = datetime(2016, 8, 1, 9, 0)
REPLIED = datetime(2016, 9, 10, 10, 0)
MERGED = datetime(2016, 9, 28, 15, 0)


@dataclass(frozen=True)
class Packet:
    agency: str
    obligation_id: int
    to: str
    reply_to: str
    subject: str
    workbook: bytes


def accepted_list(url: str, org_code: str = "jyj", rows: int = 3) -> int:
    """A department's list taken in by email and accepted; returns the submission id."""
    c = call(url, org_code)
    result = take_in(url, reply(c, [("清单.xlsx", good_workbook(c, rows))]))
    assert result.outcome == "accepted", result.receipt
    return result.submission_id


def route(url: str, submission_id: int, now: datetime = ROUTED):
    with transaction(url) as session:
        return route_submission(session, submission_id, get_settings(), now)


def packets(url: str, submission_id: int | None = None) -> dict[str, Packet]:
    with transaction(url) as session:
        rows = session.execute(
            select(OutboxMessage, Organisation.code, Obligation.ref)
            .join(Obligation, Obligation.id == OutboxMessage.obligation_id)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .where(OutboxMessage.kind == "review_packet").order_by(OutboxMessage.id)).all()
        return {code: Packet(code, m.obligation_id, m.to_addrs[0], m.reply_to, m.subject, m.attachments[0].content)
                for m, code, ref in rows if submission_id is None or ref == str(submission_id)}


def filled_packet(workbook: bytes, opinions: dict[int, tuple[str, str, str]] | None = None,
                  default: tuple[str, str, str] = ("保留", "", ""), edit=None) -> bytes:
    """The packet with an opinion on each row (row index from 0 -> (opinion, reason, adjusted))."""
    book = load_workbook(io.BytesIO(workbook))
    sheet = book[SHEET]
    # Found by its header: the guides' and the ledgers' packets show other columns before it.
    column = next(c.column for c in sheet[1] if c.value == OPINION)
    for index in range(sheet.max_row - 1):
        opinion, reason, adjusted = (opinions or {}).get(index, default)
        sheet.cell(row=index + 2, column=column, value=opinion)
        sheet.cell(row=index + 2, column=column + 1, value=reason or None)
        sheet.cell(row=index + 2, column=column + 2, value=adjusted or None)
    if edit:
        edit(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def agency_reply(packet: Packet, workbook: bytes, **extra) -> bytes:
    extra.setdefault("sender", packet.to)
    return reply_mail(sender_name="审核人", to=packet.reply_to, subject="回复：" + packet.subject,
                      attachments=[("审核意见表.xlsx", workbook)], **extra)


def all_agencies_reply(url: str, submission_id: int, opinions: dict[str, dict] | None = None,
                       now: datetime = REPLIED) -> dict[str, str]:
    """Every agency returns its packet; returns agency code -> intake outcome."""
    outcomes = {}
    for code, packet in packets(url, submission_id).items():
        workbook = filled_packet(packet.workbook, (opinions or {}).get(code))
        outcomes[code] = take_in(url, agency_reply(packet, workbook), now).outcome
    return outcomes


def obligations(url: str, phase: str) -> list[tuple[str, str, str, date]]:
    with transaction(url) as session:
        return [tuple(r) for r in session.execute(
            select(Organisation.code, Obligation.ref, Obligation.state, Obligation.due)
            .join(Organisation, Organisation.id == Obligation.debtor_id)
            .join(Phase, Phase.id == Obligation.phase_id).where(Phase.code == phase, Obligation.ref != "")
            .order_by(Obligation.id))]


def merge(url: str, submission_id: int, now: datetime = MERGED):
    with transaction(url) as session:
        return merge_submission(session, submission_id, get_settings(), now)
