"""Loads the calendar files the project ships, so tests use the real data, not a fixture copy."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from rules.calendar import CalendarYear, WorkingCalendar
from workbooks.calendar_files import read_calendar_file

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "registry" / "seed" / "calendar"


@lru_cache(maxsize=None)
def shipped_years() -> tuple[CalendarYear, ...]:
    years: list[CalendarYear] = []
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        years.extend(read_calendar_file(path))
    return tuple(years)


def shipped_calendar(*only: int) -> WorkingCalendar:
    """The shipped calendar, or only the given years of it (to test unloaded years)."""
    return WorkingCalendar(y for y in shipped_years() if not only or y.year in only)


def d(text: str) -> date:
    return date.fromisoformat(text)
