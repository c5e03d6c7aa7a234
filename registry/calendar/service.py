"""The working-day calendar's use cases.

Each takes the database URL and plain values, opens the one transaction and returns plain values.
"""
from __future__ import annotations

from registry.calendar.store import load_calendar
from registry.db import transaction
from rules.calendar import WorkingCalendar


def working_calendar(url: str) -> WorkingCalendar:
    """Every loaded year as the rules' calendar (pure: working days, 调休, adding working days)."""
    with transaction(url) as session:
        return load_calendar(session)
