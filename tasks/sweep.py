"""Thin Prefect tasks of the daily sweep: plain values (dates, counts, rows) in and out.

Reads are plain functions beside the tasks (tasks/__init__.py says why).
"""
from __future__ import annotations

from datetime import date

from prefect import task

from core.settings import get_settings
from registry.supervision import service as supervision


def _url() -> str:
    return get_settings().database_url


def is_working_day(day: date) -> bool:
    """Raises YearNotLoaded for a day outside the loaded calendar: a sweep never guesses."""
    return supervision.is_sweep_day(_url(), day)


@task(name="sweep-day")
def sweep_day(as_of: date, campaign: str | None = None) -> dict:
    """Open the period's reports, decide every rung and queue new notices and the digest, of every
    campaign or of one: one commit."""
    day = supervision.sweep_day(_url(), as_of, campaign=campaign)
    return {"reports_opened": day.reports_opened, "notices": [n._asdict() for n in day.notices],
            "messages": [m._asdict() for m in day.messages], "digest": day.digest.summary()}
