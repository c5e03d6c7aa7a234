"""The one task that delivers the outbox, shared by every flow that queues mail."""
from __future__ import annotations

from datetime import datetime

from prefect import task

from core.settings import get_settings
from registry.outbox import service as outbox

NOTHING_SENT = {"sent": 0, "deferred": 0, "failed": 0}


# Retried, because a retry is always safe and a failure costs more than a wait: delivery claims only
# what is still pending, due and unclaimed, marks each message sent right after the server took it,
# and a message whose mark was lost goes again with the same Message-ID once its claim has lapsed
# (as the next scheduled run would send it anyway). Without retries a passing "database is locked" or dropped connection fails the
# whole intake or sweep run after its work was committed, and the receipts wait for the next poll.
@task(name="deliver-outbox", retries=2, retry_delay_seconds=30)
async def deliver_outbox(now: datetime | None = None) -> dict[str, int]:
    return await outbox.deliver(get_settings().database_url, now)


async def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """The delivery task, when there is mail to deliver. Most flow runs queue none, and a task run's
    bookkeeping on the Prefect server costs many times the one query that says so."""
    if not outbox.has_due(get_settings().database_url, now):
        return dict(NOTHING_SENT)
    return await deliver_outbox(now)
