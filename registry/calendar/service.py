"""The working-day calendar's use cases: import a year's notice, show a year at a glance."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.errors import MissingFile
from registry.calendar.store import load_calendar, loaded_years, store_years
from registry.db import migrate, transaction
from rules.calendar import NamedDay, WorkingCalendar, YearAtAGlance, YearNotLoaded, import_warnings, year_at_a_glance
from workbooks.calendar_files import read_calendar_file

__all__ = ["CalendarImport", "CalendarYearSummary", "NamedDay", "add_working_days", "calendar_year",
           "import_calendar", "working_calendar"]


@dataclass(frozen=True)
class CalendarImport:
    years: list[int]
    warnings: list[str]  # what looks incomplete; the years are imported all the same


@dataclass(frozen=True)
class CalendarYearSummary:
    year: int
    source: str
    glance: YearAtAGlance


def import_calendar(url: str, path: Path) -> CalendarImport:
    """Replace the years the file holds (validated before anything is written).

    Warns, and still imports, when a year lacks a statutory holiday or has fewer weekday holidays
    than every year loaded so far: a notice typed in by hand is easily incomplete.
    """
    if not path.is_file():
        raise MissingFile(f"文件不存在：{path}")
    years = read_calendar_file(path)
    migrate(url)
    with transaction(url) as session:
        before = loaded_years(session)
        warnings = [w for year in years for w in import_warnings(year, before)]
        store_years(session, years)
    return CalendarImport([y.year for y in years], warnings)


def calendar_year(url: str, year: int) -> CalendarYearSummary:
    """Every day off of each holiday and every make-up working day; raises YearNotLoaded when the
    year's notice has not been imported."""
    with transaction(url) as session:
        loaded = {cy.year: cy for cy in loaded_years(session)}
    if year not in loaded:
        raise YearNotLoaded(year)
    return CalendarYearSummary(year, loaded[year].source, year_at_a_glance(loaded[year]))


def add_working_days(url: str, day: date, days: int) -> date:
    """The ``days``-th working day after ``day`` (before it when negative; ``day`` itself never counts).

    Raises rules.calendar.YearNotLoaded when the count leaves the loaded years.
    """
    with transaction(url) as session:
        return load_calendar(session).add_working_days(day, days)


def working_calendar(url: str) -> WorkingCalendar:
    """Every loaded year as the rules' calendar (pure: working days, 调休, adding working days)."""
    with transaction(url) as session:
        return load_calendar(session)
