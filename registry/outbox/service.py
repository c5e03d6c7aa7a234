"""The outbox's use cases: deliver what is due now, as counts; read back a queued message.

Each takes the database URL and plain values and returns plain values.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core.settings import Settings, get_settings
from registry.db import transaction
from registry.outbox.delivery import deliver_pending
from registry.outbox.tables import OutboxMessage


async def deliver(url: str, now: datetime | None = None, settings: Settings | None = None) -> dict[str, int]:
    """Send every due message; safe to rerun and to run beside queuing. Counts sent, deferred, failed."""
    report = await deliver_pending(url, settings or get_settings(), now)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}


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
