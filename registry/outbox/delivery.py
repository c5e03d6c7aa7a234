"""Deliver the outbox: claim what is due, hand it to the mail sender, write down each message's fate.

Exactly-once mail needs three things: a unique key per notice (queuing twice is a no-op), a claim
before sending (two deliverers never send one row, registry/outbox/claims.py), and each message
marked sent right after the server's 250 (registry/outbox/books.py). The marks are group-committed:
while one group is written, the connections go on sending, and a connection takes its next message
only once its last one is committed. A kill therefore re-sends at most one message per connection,
with the same Message-ID.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import datetime, timedelta

from core.settings import Settings
from notifications.smtp import Envelope, MailSender, SendResult, SmtpSender
from registry.db import transaction
from registry.outbox.books import Books, DeliveryReport
from registry.outbox.claims import claim_due, envelope

__all__ = ["DeliveryReport", "claim_envelopes", "deliver_pending"]


async def deliver_pending(url: str, settings: Settings, now: datetime | None = None,
                          limit: int = 5000, *, sender: MailSender | None = None) -> DeliveryReport:
    """Send up to ``limit`` due messages over a few concurrent SMTP connections.

    Safe to run beside queuing, beside other deliverers, and again after a crash. ``now`` dates the
    run (what is due, when to retry); the claims' leases run on it plus the time the run has taken.
    """
    run = _Run(url, settings, now or datetime.now(), limit)
    try:
        await (sender or SmtpSender(settings.smtp)).send(run.next_envelope, run.record)
    finally:
        await run.writer.flush()
    return run.books.report


def claim_envelopes(url: str, settings: Settings, now: datetime, limit: int,
                    lease_now: datetime | None = None) -> list[Envelope]:
    """Claim up to ``limit`` due messages for one deliverer and render them; leased from ``lease_now``."""
    lease_now = lease_now or now
    with transaction(url) as session:
        rows = claim_due(session, now, lease_now, lease_now + timedelta(seconds=settings.smtp.claim_lease_seconds),
                         limit)
    # Rendered after the commit: on SQLite the claim's write lock would otherwise hold up the sent marks.
    return [envelope(m, settings) for m in rows]


class _Run:
    """One delivery run: claims what is due a batch at a time, the next batch while this one is sent."""

    def __init__(self, url: str, settings: Settings, now: datetime, limit: int) -> None:
        self.url, self.settings, self.now, self.limit = url, settings, now, limit
        self.books = Books(url, settings, now)
        self.writer = _GroupWriter(self.books.write)
        self.started = time.monotonic()
        self.claimed: deque[Envelope] = deque()
        self.taken = 0
        self.exhausted = False
        self.refill: asyncio.Task | None = None

    def _lease_now(self) -> datetime:
        return self.now + timedelta(seconds=time.monotonic() - self.started)

    async def next_envelope(self) -> Envelope | None:
        while not self.claimed:
            if self.exhausted and self.refill is None:
                return None
            await asyncio.shield(self._refill())
        if len(self.claimed) <= self.settings.smtp.connections:
            self._refill()  # claimed and rendered while the connections send what they have
        return self.claimed.popleft()

    def _refill(self) -> asyncio.Task:
        if self.refill is None:
            self.refill = asyncio.ensure_future(self._claim())
        return self.refill

    async def _claim(self) -> None:
        try:
            want = min(self.settings.smtp.claim_batch, self.limit - self.taken)
            if self.exhausted or want <= 0:
                self.exhausted = True
                return
            batch = await asyncio.to_thread(claim_envelopes, self.url, self.settings, self.now, want,
                                            self._lease_now())
            self.taken += len(batch)
            self.claimed.extend(batch)
            self.exhausted = len(batch) < want
        finally:
            self.refill = None

    def record(self, result: SendResult) -> asyncio.Future:
        return self.writer.submit(result)


class _GroupWriter:
    """Writes fates in groups, one transaction at a time, off the event loop.

    Each submitted fate's future is done once its group is committed; fates that arrive during a
    commit make the next group.
    """

    def __init__(self, write) -> None:
        self.write = write
        self.waiting: list[tuple[SendResult, asyncio.Future]] = []
        self.task: asyncio.Task | None = None

    def submit(self, result: SendResult) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((result, future))
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._drain())
        return future

    async def _drain(self) -> None:
        while self.waiting:
            await asyncio.sleep(0)
            group, self.waiting = self.waiting, []
            try:
                await asyncio.to_thread(self.write, [result for result, _ in group])
            except BaseException as error:
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
                if not isinstance(error, Exception):
                    raise
                continue
            for _, future in group:
                if not future.done():
                    future.set_result(None)

    async def flush(self) -> None:
        if self.task is not None:
            await asyncio.shield(self.task)
