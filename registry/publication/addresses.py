"""A department's reply with the address where it published its part of the site: recorded, and its
publication obligation fulfilled; a reply without an address is answered with what to send."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from core.settings import Settings
from notifications.inbound import InboundMail
from notifications.publication_letters import address_receipt, address_refused
from registry.campaign.audit import move_obligation
from registry.campaign.obligations import find_obligation
from registry.campaign.tables import Obligation
from registry.intake.reply_tokens import subject_tag, token_for
from registry.intake.workbooks import IntakeResult, receipt_key, remember_message
from registry.outbox.queue import queue_letter
from registry.publication.tables import PublishedAddress
from rules.obligations import State

ADDRESS = "address"  # the outcome of a reply that told its address
# An address as people paste it into a mail, up to the first space or Chinese punctuation.
_ADDRESS = re.compile(r"https?://[^\s\u3000<>\"'，。；、）)】]+", re.IGNORECASE)


def addresses_in(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).rstrip(".,;:") for m in _ADDRESS.finditer(text or "")))


def record_address(session: Session, obligation: Obligation, address: str, now: datetime, source: str) -> bool:
    """Keep the address and fulfil the obligation; True when the address is new."""
    known = session.scalar(select(PublishedAddress.id).where(PublishedAddress.obligation_id == obligation.id,
                                                             PublishedAddress.address == address[:500]))
    if known is None:
        session.add(PublishedAddress(obligation_id=obligation.id, org_id=obligation.debtor_id, address=address[:500],
                                     received_at=now, source=source))
    if obligation.state in (State.OPEN, State.RETURNED):
        move_obligation(session, obligation, State.FULFILLED, obligation.debtor.code, f"已在本单位网站公布：{address}", now)
    return known is None


def take_in_address(session: Session, mail: InboundMail, obligation: Obligation, settings: Settings,
                    now: datetime) -> IntakeResult:
    org = obligation.debtor
    tag = subject_tag(token_for(session, obligation.id, now))
    found = addresses_in(f"{mail.subject}\n{mail.text}")
    if not found:
        letter = address_refused(org_name=org.name, what="贵单位的回复中没有找到公布网址", tag=tag)
        queue_letter(session, receipt_key(mail), [mail.sender], letter, settings, now, obligation.id, kind="receipt",
                     in_reply_to=mail.message_id)
        if obligation.state in (State.OPEN, State.RETURNED):
            move_obligation(session, obligation, State.RETURNED, org.code, "回复中没有公布网址，已退回", now)
        remember_message(session, mail, "rejected", obligation.id, None, now, "没有公布网址")
        return IntakeResult("rejected", mail.sender, org.code, obligation.id, problems=1, receipt=letter.text)
    record_address(session, obligation, found[0], now, "email")
    letter = address_receipt(org_name=org.name, address=found[0], tag=tag, received=now)
    queue_letter(session, receipt_key(mail), [mail.sender], letter, settings, now, obligation.id, kind="receipt",
                 in_reply_to=mail.message_id)
    remember_message(session, mail, ADDRESS, obligation.id, None, now, f"公布网址 {found[0]}")
    return IntakeResult(ADDRESS, mail.sender, org.code, obligation.id, receipt=letter.text)


class BadAddress(UserError, ValueError):
    pass


def record_given_address(session: Session, org_code: str, address: str, now: datetime) -> str:
    found = addresses_in(address)
    if len(found) != 1 or found[0] != address.strip():
        raise BadAddress(f"「{address}」不是一个网址；请写出以 https:// 或 http:// 开头的完整网址")
    obligation = find_obligation(session, "publication", org_code)
    record_address(session, obligation, found[0], now, "cli")
    return obligation.debtor.name
