"""Supervision's use cases: a day's sweep, and whether today's would find anything.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
The mail domain (for deterministic Message-IDs) defaults to the environment's.
"""
from __future__ import annotations

from datetime import date

from core.settings import get_settings
from registry.calendar.store import load_calendar
from registry.db import transaction
from registry.supervision import day, sweep
from registry.supervision.day import SweepDay

__all__ = ["SweepDay", "is_sweep_day", "sweep_day"]


def _mail_domain(mail_domain: str | None) -> str:
    return mail_domain or get_settings().smtp.mail_domain


def is_sweep_day(url: str, on: date) -> bool:
    """Raises YearNotLoaded for a day outside the loaded calendar: a sweep never guesses."""
    with transaction(url) as session:
        return sweep.is_sweep_day(load_calendar(session), on)


def sweep_day(url: str, as_of: date, *, dry_run: bool = False, mail_domain: str | None = None) -> SweepDay:
    """Open the period's reports, decide every rung and queue new notices and the digest: one commit.
    A dry run decides the rungs and writes nothing."""
    with transaction(url) as session:
        return day.sweep_day(session, as_of, dry_run=dry_run, mail_domain=_mail_domain(mail_domain))
