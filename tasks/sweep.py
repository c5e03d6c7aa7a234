"""Thin Prefect tasks of the daily sweep: plain values (dates, counts, rows) in and out."""
from __future__ import annotations

from datetime import date, datetime

from prefect import task

from core.settings import get_settings
from registry.calendar.store import load_calendar
from registry.db import transaction


def _url() -> str:
    return get_settings().database_url


@task(name="is-working-day")
def is_working_day(day: date) -> bool:
    """Raises YearNotLoaded for a day outside the loaded calendar: a sweep never guesses."""
    from registry.supervision.sweep import is_sweep_day

    with transaction(_url()) as session:
        return is_sweep_day(load_calendar(session), day)


@task(name="sweep-day")
def sweep_day(as_of: date) -> dict:
    """Open the period's reports, decide every rung and queue new notices and the digest: one commit."""
    from registry.supervision.day import sweep_day as decide_day

    with transaction(_url()) as session:
        day = decide_day(session, as_of, mail_domain=get_settings().smtp.mail_domain)
        return {"reports_opened": day.reports_opened, "notices": [n._asdict() for n in day.notices],
                "digest": day.digest.summary()}


@task(name="deliver-outbox", retries=2, retry_delay_seconds=30)
async def deliver_outbox(now: datetime | None = None) -> dict[str, int]:
    from registry.outbox.delivery import deliver_pending

    report = await deliver_pending(_url(), get_settings(), now)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}
