"""Deliver the outbox: what is due, handed to the mail sender, and what became of each message.

Exactly-once mail needs both halves: a unique key per notice (queuing twice is a no-op) and a
delivery that marks each message sent right after the server's 250. The SMTP conversation is
notifications.smtp's; this module keeps the books: due rows, sent marks committed in batches,
failures recorded, retried with backoff or given up, and the coordinator told of what bounced.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.policy import compat32

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, selectinload

from core.settings import Settings
from notifications.compose import build_message
from notifications.smtp import Envelope, MailSender, Outcome, SendResult, SmtpSender
from registry.db import transaction
from registry.directory.queries import coordinator_addresses
from registry.outbox.queue import queue_message
from registry.outbox.tables import OutboxMessage


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    deferred: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


# Sent states are committed in batches of this many: one commit per message would cap delivery at
# the database's commit rate. A crash loses at most a batch of "sent" marks, and those messages
# go again with the same Message-ID: the at-least-once the SMTP boundary allows in any case.
SENT_COMMIT_BATCH = 100


async def deliver_pending(url: str, settings: Settings, now: datetime | None = None,
                          limit: int = 5000, *, sender: MailSender | None = None) -> DeliveryReport:
    """Send what is due over a few concurrent SMTP connections.

    Safe to run concurrently with queuing and to rerun after a crash.
    """
    now = now or datetime.now()
    report = DeliveryReport()
    batch = _due_messages(url, settings, now, limit)
    if not batch:
        return report
    books = _Books(url, settings, now, report)
    try:
        await (sender or SmtpSender(settings.smtp)).send(batch, books.record)
    finally:
        books.mark_sent()
    return report


class _Books:
    """Called back once per message as its fate is known, on the sender's event loop."""

    def __init__(self, url: str, settings: Settings, now: datetime, report: DeliveryReport) -> None:
        self.url, self.settings, self.now, self.report = url, settings, now, report
        self.unmarked: list[int] = []

    def record(self, result: SendResult) -> None:
        if result.outcome is Outcome.SENT:
            self.unmarked.append(result.outbox_id)
            if len(self.unmarked) >= SENT_COMMIT_BATCH:
                self.mark_sent()
            return
        _record_failure(self.url, self.settings, result.outbox_id, result.error, self.now,
                        permanent=result.outcome is Outcome.PERMANENT, report=self.report)

    def mark_sent(self) -> None:
        ids, self.unmarked = self.unmarked, []
        _mark_sent(self.url, ids, self.now, self.report)


_WIRE = compat32.clone(linesep="\r\n")


def _due_messages(url: str, settings: Settings, now: datetime, limit: int) -> list[Envelope]:
    """Due rows rendered to bytes once; recipients come from the row, not from re-parsing headers."""
    with transaction(url) as session:
        due = session.scalars(
            select(OutboxMessage)
            .options(selectinload(OutboxMessage.attachments))
            .where(OutboxMessage.state == "pending",
                   or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        return [
            (m.id, [*m.to_addrs, *m.cc_addrs], build_message(
                sender=(settings.smtp.sender_name, settings.smtp.sender_address), to=m.to_addrs, cc=m.cc_addrs,
                subject=m.subject, text=m.text, html=m.html, message_id=m.message_id, reply_to=m.reply_to,
                in_reply_to=m.in_reply_to,
                attachments=[(a.filename, a.content_type, a.content) for a in m.attachments],
            ).as_bytes(policy=_WIRE))
            for m in due
        ]


def _mark_sent(url: str, ids: list[int], now: datetime, report: DeliveryReport) -> None:
    if not ids:
        return
    with transaction(url) as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids))
            .values(state="sent", sent_at=now, attempts=OutboxMessage.attempts + 1)
        )
    report.sent.extend(ids)


def _record_failure(url: str, settings: Settings, outbox_id: int, error: Exception, now: datetime,
                    permanent: bool, report: DeliveryReport) -> None:
    with transaction(url) as session:
        row = session.get(OutboxMessage, outbox_id)
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        if permanent or row.attempts >= settings.smtp.max_attempts:
            row.state = "failed"
            report.failed.append(outbox_id)
            if row.kind != "bounce":
                _tell_coordinator(session, row, now, settings)
        else:
            row.next_attempt_at = now + timedelta(seconds=settings.smtp.backoff_seconds * 2 ** (row.attempts - 1))
            report.deferred.append(outbox_id)


def _tell_coordinator(session: Session, failed: OutboxMessage, now: datetime, settings: Settings) -> None:
    recipients = coordinator_addresses(session)
    if not recipients:
        return
    text = (
        f"以下邮件无法投递，系统已停止重试，请核实收件地址后处理：\n\n"
        f"收件人：{'、'.join(failed.to_addrs)}\n主题：{failed.subject}\n"
        f"尝试次数：{failed.attempts}\n错误：{failed.last_error}\n"
    )
    queue_message(session, key=f"bounce:{failed.id}", to=recipients, subject=f"【退信】{failed.subject}",
                  text=text, kind="bounce", obligation_id=failed.obligation_id, now=now,
                  mail_domain=settings.smtp.mail_domain)
