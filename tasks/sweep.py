"""Thin Prefect tasks of the daily sweep: plain values (dates, counts, rows) in and out."""
from __future__ import annotations

from datetime import date, datetime

from prefect import task

from reform.settings import get_settings
from registry.calendar_store import load_calendar
from registry.db import transaction


def _url() -> str:
    return get_settings().resolved_database_url


@task(name="is-working-day")
def is_working_day(day: date) -> bool:
    """Raises YearNotLoaded for a day outside the loaded calendar: a sweep never guesses."""
    from registry.sweep import is_sweep_day

    with transaction(_url()) as session:
        return is_sweep_day(load_calendar(session), day)


@task(name="open-supervision-reports")
def open_supervision_reports(as_of: date) -> int:
    from registry.supervision import open_supervision_reports as open_reports

    with transaction(_url()) as session:
        return open_reports(session, as_of, mail_domain=get_settings().mail_domain)


@task(name="sweep-obligations")
def sweep_obligations(as_of: date, dry_run: bool = False) -> list[dict]:
    """Decide every open obligation's rung and queue the new notices; one transaction."""
    from registry.sweep import sweep

    with transaction(_url()) as session:
        result = sweep(session, as_of, dry_run=dry_run, mail_domain=get_settings().mail_domain)
        if dry_run:
            session.rollback()
    return [n._asdict() for n in result.notices]


@task(name="queue-digest")
def queue_coordinator_digest(as_of: date) -> dict:
    from registry.digest import queue_digest

    with transaction(_url()) as session:
        digest = queue_digest(session, as_of, mail_domain=get_settings().mail_domain)
    return {"new_cards": len(digest.new_cards), "late": sum(len(v) for v in digest.late_by_org.values()),
            "late_orgs": len(digest.late_by_org), "changes": sum(digest.changes.values()),
            "done_by_phase": digest.done_by_phase}


@task(name="deliver-outbox", retries=2, retry_delay_seconds=30)
async def deliver_outbox(now: datetime | None = None) -> dict[str, int]:
    from notifications.outbox import deliver_pending

    report = await deliver_pending(_url(), get_settings(), now)
    return {"sent": len(report.sent), "deferred": len(report.deferred), "failed": len(report.failed)}
