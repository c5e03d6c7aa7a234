"""When a message that could not be delivered is tried again, and when it is given up.

Pure module. Mail servers keep a message whose delivery failed transiently (connection refused, a
4xx answer) for days, trying again at growing intervals; the outbox does the same, so an outage of
a few hours delays notices and loses none.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetrySchedule:
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=1)
    keep_for: timedelta = timedelta(hours=120)

    def __post_init__(self) -> None:
        if self.first_wait <= timedelta(0) or self.longest_wait < self.first_wait:
            raise ValueError("重试间隔必须为正数，且最长间隔不小于首次间隔")

    def wait_after(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: doubling from the first, capped."""
        if attempts < 1:
            return timedelta(0)
        # Doubling past the cap is never needed: 2**20 minutes is two years.
        return min(self.first_wait * 2 ** min(attempts - 1, 20), self.longest_wait)

    def next_attempt(self, attempts: int, first_failed_at: datetime, now: datetime) -> datetime | None:
        """When to try again after a transient failure at ``now``; None once it has failed for ``keep_for``."""
        if now - first_failed_at >= self.keep_for:
            return None
        return now + self.wait_after(attempts)


def is_outage(started_at: datetime, now: datetime, notice_after: timedelta) -> bool:
    """Mail that has failed since ``started_at`` without a message getting through is worth one notice."""
    return now - started_at >= notice_after
