"""The working-day calendar's use cases: import a year's notice, list a year's exceptions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from core.errors import UserError
from registry.calendar.store import load_calendar, store_years
from registry.db import migrate, transaction
from rules.calendar import WorkingCalendar
from workbooks.calendar_files import read_calendar_file


class MissingFile(UserError, FileNotFoundError):
    pass


@dataclass(frozen=True)
class ExceptionDay:
    """A day that breaks the weekend rule: a holiday on a weekday, or a make-up working day (调休)."""

    day: date
    working: bool
    name: str


@dataclass(frozen=True)
class CalendarYearSummary:
    year: int
    working_days: int
    exceptions: tuple[ExceptionDay, ...]


def import_calendar(url: str, path: Path) -> list[int]:
    """Replace the years the file holds (validated before anything is written); returns them."""
    if not path.is_file():
        raise MissingFile(f"文件不存在：{path}")
    years = read_calendar_file(path)
    migrate(url)
    with transaction(url) as session:
        store_years(session, years)
    return [y.year for y in years]


def calendar_year(url: str, year: int) -> CalendarYearSummary:
    """Raises YearNotLoaded when the year's notice has not been imported."""
    with transaction(url) as session:
        calendar = load_calendar(session)
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    working = sum(calendar.is_working_day(d) for d in days)  # fails loudly when the year is not loaded
    exceptions = tuple(ExceptionDay(d, calendar.is_working_day(d), calendar.day_name(d))
                       for d in days if calendar.is_working_day(d) == (d.weekday() >= 5))
    return CalendarYearSummary(year, working, exceptions)


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
