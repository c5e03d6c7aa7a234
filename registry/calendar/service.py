"""The working-day calendar's use cases. Each takes the database URL and plain values, opens the
one transaction and returns plain values."""
from __future__ import annotations

from datetime import date

from registry.calendar.store import load_calendar
from registry.db import transaction


def add_working_days(url: str, day: date, days: int) -> date:
    """The ``days``-th working day after ``day`` (before it when negative; ``day`` itself never counts).

    Raises rules.calendar.YearNotLoaded when the count leaves the loaded years.
    """
    with transaction(url) as session:
        return load_calendar(session).add_working_days(day, days)
