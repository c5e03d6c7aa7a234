"""Claiming due messages, so that any number of deliverers may run at once and none sends a row
another has claimed.

A claim is a lease: a fresh token and an expiry written in one UPDATE over due, unclaimed rows,
then the rows read back by that token. On PostgreSQL the rows are chosen ``FOR UPDATE SKIP
LOCKED``, so concurrent claimers pass over each other's rows instead of queueing behind them; on
SQLite the UPDATE itself is the lock (one writer at a time). A deliverer killed after claiming
leaves its lease to expire, and the next deliverer after ``claimed_until`` takes the rows over.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from email.policy import compat32

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from core.settings import Settings
from notifications.compose import build_message
from notifications.smtp import Envelope
from registry.outbox.tables import OutboxMessage

_WIRE = compat32.clone(linesep="\r\n")


def due_at(now: datetime, lease_now: datetime) -> tuple:
    """Pending, due at ``now``, and held by no live lease at ``lease_now``."""
    return (OutboxMessage.state == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < lease_now))


def claim_due(session: Session, now: datetime, lease_now: datetime, lease_until: datetime,
              limit: int) -> list[OutboxMessage]:
    """Claim up to ``limit`` pending rows due at ``now`` that no live lease holds at ``lease_now``."""
    due = select(OutboxMessage.id).where(*due_at(now, lease_now)).order_by(OutboxMessage.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    token = uuid.uuid4().hex
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()))
                    .values(claim_token=token, claimed_until=lease_until)
                    .execution_options(synchronize_session=False))
    return list(session.scalars(select(OutboxMessage).options(selectinload(OutboxMessage.attachments))
                                .where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)))


def envelope(message: OutboxMessage, settings: Settings) -> Envelope:
    """A row rendered to bytes once; recipients come from the row, not from re-parsing headers."""
    m = message
    return (m.id, m.recipients, build_message(
        sender=(settings.smtp.sender_name, settings.smtp.sender_address), to=m.to_addrs, cc=m.cc_addrs,
        subject=m.subject, text=m.text, html=m.html, message_id=m.message_id, reply_to=m.reply_to,
        in_reply_to=m.in_reply_to, attachments=[(a.filename, a.content_type, a.content) for a in m.attachments],
    ).as_bytes(policy=_WIRE))
