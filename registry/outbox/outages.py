"""Outages: spells in which mail fails and none gets through, each told to the coordinator once
when it has lasted long enough and once when mail flows again.

The first transient failure while mail was flowing opens an outage; the first message taken by the
server closes it. A short spell closes unnoticed. The unique open marker and the UPDATE … WHERE
guards make concurrent deliverers agree: one opens, one tells, one closes.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.settings import Settings
from notifications.delivery_letters import delay_notice, resumed_notice
from registry.directory.queries import coordinator_addresses
from registry.outbox.queue import queue_letter
from registry.outbox.tables import OPEN, MailOutage, OutboxMessage
from rules.retries import is_outage


def note_failure(session: Session, now: datetime, error: str, settings: Settings) -> None:
    """A transient failure at ``now``: open an outage, or tell the coordinator of one that has lasted."""
    outage = session.scalar(select(MailOutage).where(MailOutage.open_marker == OPEN))
    if outage is None:
        try:
            with session.begin_nested():
                session.add(MailOutage(started_at=now, last_error=error, open_marker=OPEN))
        except IntegrityError:
            pass  # another deliverer opened it a moment ago
        return
    if outage.noticed_at is not None or not is_outage(outage.started_at, now,
                                                      timedelta(minutes=settings.smtp.delay_notice_minutes)):
        return
    told = session.execute(update(MailOutage).where(MailOutage.id == outage.id, MailOutage.noticed_at.is_(None))
                           .values(noticed_at=now, last_error=error).returning(MailOutage.id)).first()
    if told is None:
        return
    waiting = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "pending"))
    letter = delay_notice(since=outage.started_at, server=f"{settings.smtp.host}:{settings.smtp.port}",
                          error=error, waiting=waiting, keep_for_hours=settings.smtp.retry_for_hours)
    queue_letter(session, f"mail-delayed:{outage.id}", coordinator_addresses(session), letter, settings, now,
                 None, "mail-delayed")


def note_success(session: Session, now: datetime, settings: Settings) -> None:
    """A message got through at ``now``: close the open outage, telling the coordinator if it was told of it."""
    closed = session.execute(update(MailOutage).where(MailOutage.open_marker == OPEN)
                             .values(open_marker=None, resumed_at=now)
                             .returning(MailOutage.id, MailOutage.started_at, MailOutage.noticed_at)).first()
    if closed is None or closed.noticed_at is None:
        return
    queue_letter(session, f"mail-resumed:{closed.id}", coordinator_addresses(session),
                 resumed_notice(since=closed.started_at, resumed=now), settings, now, None, "mail-resumed")
