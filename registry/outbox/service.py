"""The outbox's use cases: queue notices, deliver what is due, count by state."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.settings import Settings, get_settings
from registry.db import transaction
from registry.outbox.claims import due_at
from registry.outbox.delivery import deliver_pending
from registry.outbox.queue import queue_message
from registry.outbox.resend import copy_message
from registry.outbox.tables import OutboxMessage


async def deliver(url: str, now: datetime | None = None, settings: Settings | None = None,
                  limit: int = 5000) -> dict[str, int]:
    """Send up to ``limit`` due messages; counts sent, deferred (tried again later), failed.

    Safe to rerun, and to run beside queuing and beside any number of other deliverers: each
    message is claimed by one of them before it is sent.
    """
    report = await deliver_pending(url, settings or get_settings(), now, limit=limit)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}


def has_due(url: str, now: datetime | None = None) -> bool:
    """Whether a delivery run now would find anything to send."""
    now = now or datetime.now()
    with transaction(url) as session:
        return session.scalar(select(select(OutboxMessage.id).where(*due_at(now, now)).exists())) or False


@dataclass(frozen=True)
class OutgoingNotice:
    """One email to queue, under a key that makes queuing it twice a no-op."""

    key: str
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""
    cc: tuple[str, ...] = ()
    kind: str = ""
    obligation_id: int | None = None


def queue_notices(url: str, notices: Iterable[OutgoingNotice], now: datetime | None = None,
                  mail_domain: str = "reform.shenyang.example.org") -> int:
    """Queue every notice whose key is new, all in one transaction; returns how many were new."""
    created = 0
    with transaction(url) as session:
        for notice in notices:
            _, new = queue_message(session, key=notice.key, to=list(notice.to), cc=list(notice.cc),
                                   subject=notice.subject, text=notice.text, html=notice.html, kind=notice.kind,
                                   obligation_id=notice.obligation_id, now=now, mail_domain=mail_domain)
            created += new
    return created


def count_by_state(url: str) -> dict[str, int]:
    """How many outbox messages are in each state (pending, sent, failed, …); absent states are left out."""
    with transaction(url) as session:
        return dict(session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)).all())


@dataclass(frozen=True)
class QueuedMessage:
    key: str
    to: list[str]
    reply_to: str
    subject: str
    state: str
    attachments: list[tuple[str, bytes]]  # (filename, content)


def queued_message(url: str, key: str) -> QueuedMessage | None:
    """The message queued under ``key`` (what its recipient receives), or None."""
    with transaction(url) as session:
        m = session.scalar(select(OutboxMessage).options(selectinload(OutboxMessage.attachments))
                           .where(OutboxMessage.key == key))
        if m is None:
            return None
        return QueuedMessage(m.key, list(m.to_addrs), m.reply_to, m.subject, m.state,
                             [(a.filename, a.content) for a in m.attachments])


@dataclass(frozen=True)
class Resent:
    key: str  # the copy's outbox key
    original: str  # the key of the message copied
    created: bool  # False: this request had already queued its copy


def resend(url: str, key: str, request_key: str, now: datetime, mail_domain: str | None = None) -> Resent:
    """Queue a copy of the message queued under ``key``; the same ``request_key`` queues it once.
    (registry.supervision.service.resend_notice does the same and writes the audit log.)"""
    with transaction(url) as session:
        original, copy, created = copy_message(session, key, request_key, now,
                                               mail_domain or get_settings().smtp.mail_domain)
        return Resent(copy.key, original.key, created)
