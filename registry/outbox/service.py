"""The outbox's use case: deliver what is due now, as counts."""
from __future__ import annotations

from datetime import datetime

from core.settings import Settings, get_settings
from registry.outbox.delivery import deliver_pending


async def deliver(url: str, now: datetime | None = None, settings: Settings | None = None) -> dict[str, int]:
    """Send every due message; safe to rerun and to run beside queuing. Counts sent, deferred, failed."""
    report = await deliver_pending(url, settings or get_settings(), now)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}
